using System.Collections.Immutable;
using System.Linq;
using Kong.Pdk.Generators.Analysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Kong.Pdk.Generators.Diagnostics;

/// <summary>
/// A plugin's services (docs/dependency-injection.md): constructor parameters no service provider can give (KONG0210),
/// services the generated <c>Main</c> cannot provide (KONG0211), and a <c>ConfigureServices</c> of the wrong shape
/// (KONG0212). Whether a service is registered is only known at run time, where a missing one fails
/// <c>plugin.StartInstance</c> with a message naming the plugin and the type.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PluginServicesAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Descriptors.UnresolvableConstructorParameter,
        Descriptors.ServicesWithoutHost,
        Descriptors.ConfigureServicesNotUsed);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            KnownSymbols known = KnownSymbols.Create(start.Compilation);
            if (known.KongPlugin is null)
            {
                return;
            }

            Compilation compilation = start.Compilation;
            bool generatedMainCannotServe = compilation.Options.OutputKind is OutputKind.ConsoleApplication or OutputKind.WindowsApplication
                && compilation.GetTypeByMetadataName(KnownNames.KongPluginApplication) is null;
            start.RegisterSymbolAction(symbolContext => Analyze(symbolContext, known, generatedMainCannotServe), SymbolKind.NamedType);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, KnownSymbols known, bool generatedMainCannotServe)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (PluginSymbols.PluginAttribute(type, known) is null)
        {
            return;
        }

        foreach (IMethodSymbol misshaped in PluginConstructors.MisshapedConfigureServices(type))
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.ConfigureServicesNotUsed, misshaped.Locations.FirstOrDefault(), type.Name));
        }

        IMethodSymbol? constructor = PluginConstructors.Choose(type, out _);
        if (constructor is null)
        {
            return; // KONG0205
        }

        foreach (IParameterSymbol parameter in constructor.Parameters)
        {
            if (PluginConstructors.Unresolvable(parameter) is { } reason)
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.UnresolvableConstructorParameter, parameter.Locations.FirstOrDefault(),
                    parameter.Name, type.Name, reason));
            }
        }

        bool usesServices = !constructor.Parameters.IsEmpty || PluginConstructors.ConfigureServicesHook(type) is not null;
        if (usesServices && generatedMainCannotServe && !HasOwnEntryPoint(context.Compilation, context.CancellationToken))
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.ServicesWithoutHost, PluginSymbols.Identifier(type, context.CancellationToken), type.Name));
        }
    }

    /// <summary>A <c>Main</c> or top-level statements of the author's (then the author provides the services).</summary>
    private static bool HasOwnEntryPoint(Compilation compilation, System.Threading.CancellationToken cancellationToken)
    {
        foreach (ISymbol symbol in compilation.GetSymbolsWithName(static name => name is "Main" or "<Main>$", SymbolFilter.Member, cancellationToken))
        {
            if (symbol is IMethodSymbol { IsStatic: true })
            {
                return true;
            }
        }

        return compilation.SyntaxTrees.Any(tree => tree.GetRoot(cancellationToken).ChildNodes().Any(static n => n is Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax));
    }
}
