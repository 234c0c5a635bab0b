using System.Collections.Immutable;
using Kong.Pdk.Generators.Analysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Kong.Pdk.Generators.Diagnostics;

/// <summary>Phase handlers: return type, parameters, async void, accessibility, duplicates, look-alikes and
/// plugins without any handler (KONG0001–KONG0007).</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PhaseSignatureAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Descriptors.HandlerReturnType,
        Descriptors.HandlerParameters,
        Descriptors.HandlerAsyncVoid,
        Descriptors.HandlerNotPublicInstance,
        Descriptors.PhaseLookAlike,
        Descriptors.DuplicatePhase,
        Descriptors.NoPhase);

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

            start.RegisterSymbolAction(symbolContext => Analyze(symbolContext, known), SymbolKind.NamedType);
        });
    }

    /// <summary>What KONG0002 says: a generic handler usually has the right parameters, so say what is wrong.</summary>
    private static string ParameterProblem(IMethodSymbol method, KnownSymbols known)
    {
        const string Shape = "must take (IKong kong) or (IKong kong, CancellationToken cancellationToken)";
        if (!method.IsGenericMethod)
        {
            return Shape;
        }

        HandlerProblems rest = PhaseMethods.Classify(method.ConstructedFrom, known, ignoreTypeParameters: true).Problems;
        return (rest & HandlerProblems.WrongParameters) != 0
            ? "must not be generic (the plugin server cannot choose type arguments) and " + Shape
            : "must not be generic: the plugin server cannot choose its type arguments";
    }

    private static void Analyze(SymbolAnalysisContext context, KnownSymbols known)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (PluginSymbols.PluginAttribute(type, known) is not { } attribute)
        {
            return;
        }

        bool anyHandler = false;
        for (int phase = 0; phase < KnownNames.Phases.Length; phase++)
        {
            bool first = true;
            foreach (IMethodSymbol method in PhaseMethods.Handlers(type, phase))
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                anyHandler = true;
                Location location = method.Locations[0];
                if (!first)
                {
                    context.ReportDiagnostic(Diagnostic.Create(Descriptors.DuplicatePhase, location, method.Name));
                }

                first = false;
                HandlerShape shape = PhaseMethods.Classify(method, known);
                if ((shape.Problems & HandlerProblems.AsyncVoid) != 0)
                {
                    context.ReportDiagnostic(Diagnostic.Create(Descriptors.HandlerAsyncVoid, location, method.Name));
                }

                if ((shape.Problems & HandlerProblems.WrongReturnType) != 0)
                {
                    context.ReportDiagnostic(Diagnostic.Create(Descriptors.HandlerReturnType, location, method.Name,
                        method.ReturnType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
                }

                if ((shape.Problems & HandlerProblems.WrongParameters) != 0)
                {
                    context.ReportDiagnostic(Diagnostic.Create(Descriptors.HandlerParameters, location, method.Name, ParameterProblem(method, known)));
                }

                if ((shape.Problems & HandlerProblems.NotPublicInstance) != 0)
                {
                    context.ReportDiagnostic(Diagnostic.Create(Descriptors.HandlerNotPublicInstance, location, method.Name));
                }
            }
        }

        foreach (ISymbol member in type.GetMembers())
        {
            if (member is not IMethodSymbol method || method.IsImplicitlyDeclared)
            {
                continue;
            }

            if (PhaseMethods.UnavailablePhase(method, known) is { } why)
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.PhaseLookAlike, method.Locations[0], method.Name, why));
            }
            else if (PhaseMethods.LookAlike(method, known) is { } phase)
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.PhaseLookAlike, method.Locations[0], method.Name, "did you mean '" + phase + "'?"));
            }
        }

        if (!anyHandler)
        {
            PluginRules.ReadAttribute(attribute, out string name, out _, out _, out _);
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.NoPhase, PluginSymbols.Identifier(type, context.CancellationToken), name));
        }
    }
}
