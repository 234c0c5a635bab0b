using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Kong.Pdk.Generators.Diagnostics;

/// <summary>
/// KONG0304: a phase handler assigns a field or property of its plugin (an instance member, or a static field of
/// the plugin class). One plugin instance serves every request with the same configuration, concurrently, so such
/// a write is a data race between requests. Only the handler's own body is analyzed, lambdas and local functions
/// included; <c>Interlocked</c> calls and mutations through methods (<c>_list.Add</c>) are not assignments and are
/// not reported.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class HandlerStateAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.HandlerWritesInstanceState);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            INamedTypeSymbol? plugin = start.Compilation.GetTypeByMetadataName(KnownNames.KongPluginAttribute);
            if (plugin is null)
            {
                return;
            }

            start.RegisterOperationBlockStartAction(block =>
            {
                if (PdkPhaseUsageAnalyzer.HandlerPhase(block.OwningSymbol, plugin) < 0)
                {
                    return;
                }

                var handler = (IMethodSymbol)block.OwningSymbol;
                block.RegisterOperationAction(
                    operation => Analyze(operation, handler),
                    OperationKind.SimpleAssignment,
                    OperationKind.CompoundAssignment,
                    OperationKind.CoalesceAssignment,
                    OperationKind.Increment,
                    OperationKind.Decrement);
            });
        });
    }

    private static void Analyze(OperationAnalysisContext context, IMethodSymbol handler)
    {
        IOperation? target = context.Operation switch
        {
            IAssignmentOperation assignment => assignment.Target,
            IIncrementOrDecrementOperation step => step.Target,
            _ => null,
        };

        ISymbol? member;
        IOperation? instance;
        switch (target)
        {
            case IFieldReferenceOperation field:
                member = field.Field;
                instance = field.Instance;
                break;
            case IPropertyReferenceOperation property when property.Property.Parameters.IsEmpty:
                member = property.Property;
                instance = property.Instance;
                break;
            default:
                return;
        }

        bool shared = member.IsStatic
            ? IsPluginOrBase(handler.ContainingType, member.ContainingType)
            : instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance };
        if (!shared || member is IFieldSymbol { IsConst: true } || (member is IFieldSymbol f && IsThreadStatic(f)))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(Descriptors.HandlerWritesInstanceState, target!.Syntax.GetLocation(), handler.Name, member.Name));
    }

    private static bool IsPluginOrBase(INamedTypeSymbol plugin, INamedTypeSymbol owner)
    {
        for (INamedTypeSymbol? type = plugin; type is not null; type = type.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(type, owner))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsThreadStatic(IFieldSymbol field)
    {
        foreach (AttributeData attribute in field.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == "System.ThreadStaticAttribute")
            {
                return true;
            }
        }

        return false;
    }
}
