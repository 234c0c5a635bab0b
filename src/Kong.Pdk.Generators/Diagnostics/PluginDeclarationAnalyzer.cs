using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Kong.Pdk.Generators.Analysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Kong.Pdk.Generators.Diagnostics;

/// <summary>The <c>[KongPlugin]</c> declaration: partial, name, version, instantiable, unique names, names Kong
/// already uses or cannot fit in a socket path, handlers left on a base class (KONG0201–KONG0208).</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PluginDeclarationAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Descriptors.NotPartial,
        Descriptors.InvalidVersion,
        Descriptors.InvalidPluginName,
        Descriptors.DuplicatePluginName,
        Descriptors.PluginNotInstantiable,
        Descriptors.BundledPluginName,
        Descriptors.SocketPathTooLong,
        Descriptors.InheritedHandler);

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

            var plugins = new ConcurrentBag<(string Name, string Type, Location? Location)>();
            start.RegisterSymbolAction(symbolContext => Analyze(symbolContext, known, plugins), SymbolKind.NamedType);
            start.RegisterCompilationEndAction(end =>
            {
                foreach (var group in plugins.GroupBy(static p => p.Name, System.StringComparer.Ordinal))
                {
                    var ordered = group.OrderBy(static p => p.Type, System.StringComparer.Ordinal).ToList();
                    for (int i = 1; i < ordered.Count; i++)
                    {
                        end.ReportDiagnostic(Diagnostic.Create(Descriptors.DuplicatePluginName, ordered[i].Location, group.Key, ordered[0].Type));
                    }
                }
            });
        });
    }

    private static bool ContainsPlugin(INamedTypeSymbol type, KnownSymbols known)
    {
        foreach (INamedTypeSymbol nested in type.GetTypeMembers())
        {
            if (PluginSymbols.PluginAttribute(nested, known) is not null || ContainsPlugin(nested, known))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>KONG0208: a method named after a phase on a base class, for a phase the plugin itself does not
    /// declare. The generated dispatch only calls the plugin class's own methods.</summary>
    private static void ReportInheritedHandlers(SymbolAnalysisContext context, INamedTypeSymbol type)
    {
        for (int phase = 0; phase < KnownNames.Phases.Length; phase++)
        {
            if (PhaseMethods.Handlers(type, phase).Any())
            {
                continue;
            }

            for (INamedTypeSymbol? baseType = type.BaseType; baseType is not null && baseType.SpecialType != SpecialType.System_Object; baseType = baseType.BaseType)
            {
                if (PhaseMethods.Handlers(baseType, phase).FirstOrDefault() is { IsStatic: false } inherited)
                {
                    context.ReportDiagnostic(Diagnostic.Create(Descriptors.InheritedHandler, PluginSymbols.Identifier(type, context.CancellationToken),
                        KnownNames.Phases[phase], baseType.Name, type.Name));
                    break;
                }
            }
        }
    }

    private static void Analyze(SymbolAnalysisContext context, KnownSymbols known, ConcurrentBag<(string, string, Location?)> plugins)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        System.Threading.CancellationToken cancellationToken = context.CancellationToken;

        // Reported while analyzing the type that lacks 'partial', so the diagnostic stays local to its symbol.
        if (!PluginRules.IsDeclaredPartial(type, cancellationToken) && (PluginSymbols.PluginAttribute(type, known) is not null || ContainsPlugin(type, known)))
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.NotPartial, PluginSymbols.Identifier(type, cancellationToken), type.Name));
        }

        if (PluginSymbols.PluginAttribute(type, known) is not { } attribute)
        {
            return;
        }

        PluginRules.ReadAttribute(attribute, out string name, out string version, out _, out _);
        Location? nameLocation = PluginSymbols.ArgumentLocation(attribute, null, cancellationToken);
        plugins.Add((name, type.ToDisplayString(), nameLocation));

        if (!PluginRules.IsValidPluginName(name))
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.InvalidPluginName, nameLocation, name));
        }
        else if (KongPluginNames.Bundled.Contains(name))
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.BundledPluginName, nameLocation, name));
        }

        string socketPath = KongPluginNames.DefaultSocketPath(name);
        int socketBytes = KongPluginNames.Bytes(socketPath);
        if (PluginRules.IsValidPluginName(name) && socketBytes > KongPluginNames.MaxSocketPathBytes)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.SocketPathTooLong, nameLocation, name, socketPath, socketBytes));
        }

        ReportInheritedHandlers(context, type);

        if (!PluginRules.IsValidVersion(version))
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.InvalidVersion,
                PluginSymbols.ArgumentLocation(attribute, "Version", cancellationToken), version));
        }

        if (PluginRules.Unusable(type, cancellationToken) is { } reason)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.PluginNotInstantiable, PluginSymbols.Identifier(type, cancellationToken),
                type.Name, reason));
        }
    }
}
