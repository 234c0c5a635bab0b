using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text;
using Kong.Pdk.Generators.Analysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Kong.Pdk.Generators.Diagnostics;

/// <summary>
/// KONG0301: a phase handler of a <c>[KongPlugin]</c> class calls a PDK method in a phase where Kong forbids it.
/// The allowed phases come from <c>[KongPhases]</c> on the PDK method, read from metadata: the runtime library
/// carries the same phases that its <c>BeginCall</c> enforces. For <c>kong.CallAsync</c> with a constant function
/// name they come from <see cref="PdkFunctionPhases"/>.
/// </summary>
/// <remarks>
/// Only the handler's own body is analyzed, including its lambdas and local functions. A call in another method
/// that the handler calls is not followed (docs/diagnostics/KONG0301.md).
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PdkPhaseUsageAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Marks a method without <c>[KongPhases]</c> in the per-compilation cache.</summary>
    private const int NotPdk = -1;

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.PdkCallWrongPhase);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            INamedTypeSymbol? plugin = start.Compilation.GetTypeByMetadataName(KnownNames.KongPluginAttribute);
            INamedTypeSymbol? phases = start.Compilation.GetTypeByMetadataName(KnownNames.KongPhasesAttribute);
            INamedTypeSymbol? kong = start.Compilation.GetTypeByMetadataName(KnownNames.IKong);
            if (plugin is null || phases is null)
            {
                return;
            }

            // PDK method → allowed-phase mask (bit i = KongPhase i), or NotPdk; shared by all handlers of the compilation.
            var masks = new ConcurrentDictionary<IMethodSymbol, int>(SymbolEqualityComparer.Default);
            start.RegisterOperationBlockStartAction(block =>
            {
                int phase = HandlerPhase(block.OwningSymbol, plugin);
                if (phase < 0)
                {
                    return;
                }

                block.RegisterOperationAction(
                    operation => AnalyzeInvocation(operation, phase, phases, kong, masks),
                    OperationKind.Invocation);
            });
        });
    }

    /// <summary>The phase of a handler (an ordinary method named after a phase, on a <c>[KongPlugin]</c> class), or -1.</summary>
    internal static int HandlerPhase(ISymbol owner, INamedTypeSymbol plugin)
    {
        if (owner is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
        {
            return -1;
        }

        int phase = PhaseMethods.PhaseIndex(method.Name);
        if (phase < 0)
        {
            return -1;
        }

        foreach (AttributeData attribute in method.ContainingType.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, plugin))
            {
                return phase;
            }
        }

        return -1;
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, int phase, INamedTypeSymbol phasesAttribute, INamedTypeSymbol? kong, ConcurrentDictionary<IMethodSymbol, int> masks)
    {
        var invocation = (IInvocationOperation)context.Operation;
        IMethodSymbol target = invocation.TargetMethod.OriginalDefinition;
        int mask = masks.GetOrAdd(target, method => AllowedMask(method, phasesAttribute));
        if (mask == NotPdk)
        {
            AnalyzeGenericCall(context, invocation, phase, kong);
            return;
        }

        if ((mask & (1 << phase)) != 0)
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.PdkCallWrongPhase,
            NameLocation(invocation.Syntax),
            target.ContainingType.Name + "." + target.Name,
            KnownNames.Phases[phase],
            Describe(mask)));
    }

    /// <summary><c>kong.CallAsync("kong.response.set_header", ...)</c>: a constant function name is checked against
    /// Kong's catalogue (Kong would raise a Lua error, an HTTP 500, since the generic call is not checked at run time).</summary>
    private static void AnalyzeGenericCall(OperationAnalysisContext context, IInvocationOperation invocation, int phase, INamedTypeSymbol? kong)
    {
        IMethodSymbol target = invocation.TargetMethod.OriginalDefinition;
        if (kong is null || target.Name != "CallAsync" || !SymbolEqualityComparer.Default.Equals(target.ContainingType, kong))
        {
            return;
        }

        IArgumentOperation? method = null;
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            if (argument.Parameter?.Ordinal == 0)
            {
                method = argument;
            }
        }

        if (method?.Value.ConstantValue is not { HasValue: true, Value: string name }
            || !PdkFunctionPhases.Restricted.TryGetValue(name, out int mask)
            || (mask & (1 << phase)) != 0)
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.PdkCallWrongPhase,
            method.Value.Syntax.GetLocation(),
            name,
            KnownNames.Phases[phase],
            Describe(mask)));
    }

    /// <summary>The mask of <c>[KongPhases(...)]</c> on <paramref name="method"/>, or <see cref="NotPdk"/>.</summary>
    private static int AllowedMask(IMethodSymbol method, INamedTypeSymbol phasesAttribute)
    {
        foreach (AttributeData attribute in method.GetAttributes())
        {
            if (!SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, phasesAttribute))
            {
                continue;
            }

            int mask = 0;
            foreach (TypedConstant argument in attribute.ConstructorArguments)
            {
                if (argument.Kind == TypedConstantKind.Array)
                {
                    foreach (TypedConstant value in argument.Values)
                    {
                        mask |= Bit(value);
                    }
                }
                else
                {
                    mask |= Bit(argument);
                }
            }

            return mask;
        }

        return NotPdk;
    }

    private static int Bit(TypedConstant value)
        => value.Value is int phase && phase >= 0 && phase < KnownNames.Phases.Length ? 1 << phase : 0;

    /// <summary>"Rewrite, Access, Response", in Kong's order.</summary>
    private static string Describe(int mask)
    {
        var text = new StringBuilder();
        for (int phase = 0; phase < KnownNames.Phases.Length; phase++)
        {
            if ((mask & (1 << phase)) != 0)
            {
                text.Append(text.Length == 0 ? string.Empty : ", ").Append(KnownNames.Phases[phase]);
            }
        }

        return text.Length == 0 ? "no phase" : text.ToString();
    }

    /// <summary>The called method's name (<c>GetPathAsync</c> in <c>kong.Request.GetPathAsync(ct)</c>), else the call.</summary>
    private static Location NameLocation(SyntaxNode syntax)
    {
        if (syntax is InvocationExpressionSyntax call)
        {
            switch (call.Expression)
            {
                case MemberAccessExpressionSyntax member: return member.Name.GetLocation();
                case MemberBindingExpressionSyntax binding: return binding.Name.GetLocation();
                case SimpleNameSyntax name: return name.GetLocation();
            }
        }

        return syntax.GetLocation();
    }
}
