using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Kong.Pdk.Generators.Diagnostics;

/// <summary>
/// How a PDK call's task is used, anywhere in the compilation (a PDK call needs the event's <c>IKong</c>, so it
/// only runs inside a handler or code it calls): waited on synchronously (KONG0302) or dropped (KONG0303).
/// A PDK call is a method with <c>[KongPhases]</c> (the typed PDK) or <c>IKong.CallAsync</c>.
/// </summary>
/// <remarks>The task is followed through <c>ConfigureAwait</c>, <c>AsTask</c> and <c>Preserve</c>; a task stored in a
/// variable first is not followed.</remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PdkCallAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Descriptors.BlockingPdkCall, Descriptors.UnawaitedPdkCall);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            INamedTypeSymbol? phases = start.Compilation.GetTypeByMetadataName(KnownNames.KongPhasesAttribute);
            INamedTypeSymbol? kong = start.Compilation.GetTypeByMetadataName(KnownNames.IKong);
            if (phases is null || kong is null)
            {
                return;
            }

            start.RegisterOperationAction(operation => Analyze(operation, phases, kong), OperationKind.Invocation);
        });
    }

    /// <summary>Whether <paramref name="method"/> is a call into Kong.</summary>
    internal static bool IsPdkCall(IMethodSymbol method, INamedTypeSymbol phases, INamedTypeSymbol kong)
    {
        IMethodSymbol definition = method.OriginalDefinition;
        if (definition.Name == "CallAsync" && SymbolEqualityComparer.Default.Equals(definition.ContainingType, kong))
        {
            return true;
        }

        foreach (AttributeData attribute in definition.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, phases))
            {
                return true;
            }
        }

        return false;
    }

    private static void Analyze(OperationAnalysisContext context, INamedTypeSymbol phases, INamedTypeSymbol kong)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (!IsPdkCall(invocation.TargetMethod, phases, kong))
        {
            return;
        }

        string name = invocation.TargetMethod.ContainingType.Name + "." + invocation.TargetMethod.Name;

        // Follow the task through the calls that pass it on unchanged.
        IOperation task = invocation;
        IOperation? parent = Skip(task.Parent);
        while (parent is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" or "AsTask" or "Preserve" } passOn && passOn.Instance is not null && Down(passOn.Instance) == task)
        {
            task = passOn;
            parent = Skip(passOn.Parent);
        }

        switch (parent)
        {
            case IPropertyReferenceOperation { Property.Name: "Result" }:
                Report(context, Descriptors.BlockingPdkCall, parent, ".Result", name);
                return;
            case IInvocationOperation { TargetMethod.Name: "Wait" }:
                Report(context, Descriptors.BlockingPdkCall, parent, ".Wait()", name);
                return;
            case IInvocationOperation { TargetMethod.Name: "GetAwaiter" } awaiter
                when Skip(awaiter.Parent) is IInvocationOperation { TargetMethod.Name: "GetResult" } getResult:
                Report(context, Descriptors.BlockingPdkCall, getResult, ".GetAwaiter().GetResult()", name);
                return;
            case IExpressionStatementOperation:
                Report(context, Descriptors.UnawaitedPdkCall, task, name, null);
                return;
            case ISimpleAssignmentOperation { Target: IDiscardOperation }:
                Report(context, Descriptors.UnawaitedPdkCall, task, name, null);
                return;
        }
    }

    private static IOperation? Skip(IOperation? operation)
    {
        while (operation is IConversionOperation { IsImplicit: true } or IParenthesizedOperation)
        {
            operation = operation.Parent;
        }

        return operation;
    }

    private static IOperation Down(IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation { IsImplicit: true } conversion:
                    operation = conversion.Operand;
                    break;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                default:
                    return operation;
            }
        }
    }

    private static void Report(OperationAnalysisContext context, DiagnosticDescriptor descriptor, IOperation at, string first, string? second)
        => context.ReportDiagnostic(second is null
            ? Diagnostic.Create(descriptor, at.Syntax.GetLocation(), first)
            : Diagnostic.Create(descriptor, at.Syntax.GetLocation(), first, second));
}
