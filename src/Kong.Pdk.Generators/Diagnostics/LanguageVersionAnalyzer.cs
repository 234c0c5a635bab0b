using System.Collections.Immutable;
using Kong.Pdk.Generators.Analysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Kong.Pdk.Generators.Diagnostics;

/// <summary>KONG0110: the project's C# version is too old for the generated code. The generator then writes nothing
/// for the plugin, so this one diagnostic replaces errors inside generated files.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LanguageVersionAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.LanguageVersionTooOld);

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

            start.RegisterSymbolAction(symbolContext =>
            {
                var type = (INamedTypeSymbol)symbolContext.Symbol;
                if (PluginSymbols.PluginAttribute(type, known) is null)
                {
                    return;
                }

                foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
                {
                    if (PluginRules.LanguageVersionTooOld(reference.SyntaxTree) is { } version)
                    {
                        symbolContext.ReportDiagnostic(Diagnostic.Create(Descriptors.LanguageVersionTooOld,
                            PluginSymbols.Identifier(type, symbolContext.CancellationToken), type.Name, version));
                        return;
                    }
                }
            }, SymbolKind.NamedType);
        });
    }
}
