using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Kong.Pdk.Generators.Analysis;
using Kong.Pdk.Generators.Diagnostics;
using Kong.Pdk.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kong.Pdk.Generators;

/// <summary>
/// Turns every <c>[KongPlugin]</c> partial class into a Kong plugin: phase dispatch, descriptor, schema and
/// configuration binder, plus a <c>Main</c> for executables that have none, which also serves the plugins of the
/// class libraries they reference; a class library names its plugins in its metadata for them. Wiring only; see the
/// Parser and Emitter parts.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class PluginGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<PluginSpec> plugins = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.KongPluginAttribute,
                predicate: static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                transform: static (attributeContext, cancellationToken) => PluginParser.Parse(attributeContext, cancellationToken))
            .WithTrackingName(TrackingNames.Parse)
            .Where(static spec => spec is not null)
            .Select(static (spec, _) => spec!)
            .WithTrackingName(TrackingNames.Specs);

        context.RegisterSourceOutput(plugins, static (output, spec) => PluginEmitter.Emit(output, spec));

        // The entry point needs all plugins and two compilation-wide facts; each is a small equatable projection,
        // so an edit that changes neither reuses the cached output.
        IncrementalValueProvider<ImmutableArray<EntryPluginSpec>> entryPlugins = plugins
            .Select(static (spec, _) => new EntryPluginSpec(spec.PluginName, spec.FullTypeName, spec.UsesServices, spec.HasConfigureServices))
            .WithTrackingName(TrackingNames.EntryPlugins)
            .Collect()
            .WithTrackingName(TrackingNames.AllEntryPlugins);

        IncrementalValueProvider<EntryPointInfo> compilationInfo = context.CompilationProvider
            .Select(static (compilation, cancellationToken) => new EntryPointInfo(
                compilation.Options.OutputKind is OutputKind.ConsoleApplication or OutputKind.WindowsApplication,
                HasStaticMain(compilation, cancellationToken),
                compilation.Options.OutputKind is OutputKind.DynamicallyLinkedLibrary,
                compilation.GetTypeByMetadataName(KnownNames.KongPluginExportAttribute) is not null,
                compilation.GetTypeByMetadataName(KnownNames.KongPluginApplication) is not null))
            .WithTrackingName(TrackingNames.CompilationInfo);

        // A class library names its plugins in its metadata, for the executables that reference it.
        IncrementalValueProvider<(ImmutableArray<EntryPluginSpec> Plugins, EntryPointInfo Info)> exports =
            entryPlugins.Combine(compilationInfo)
            .WithTrackingName(TrackingNames.Exports);

        context.RegisterSourceOutput(exports, static (output, input) =>
        {
            if (input.Plugins.IsEmpty || !input.Info.IsLibrary || !input.Info.CanExport)
            {
                return;
            }

            output.AddSource("Kong.Pdk.Generated.KongPluginExports.g.cs", PluginEmitter.GenerateExports(input.Plugins));
        });

        // An executable serves the plugins its referenced libraries export. Only this transform looks at the
        // references, and it keeps nothing from Roslyn: an edit that changes no reference reuses the cached output.
        IncrementalValueProvider<EquatableArray<LibraryPluginSpec>> libraryPlugins = context.CompilationProvider
            .Select(static (compilation, cancellationToken) => PluginLibraries.Read(compilation, cancellationToken))
            .WithTrackingName(TrackingNames.LibraryPlugins);

        IncrementalValueProvider<bool> hasTopLevelStatements = context.SyntaxProvider
            .CreateSyntaxProvider(
                predicate: static (node, _) => node is GlobalStatementSyntax,
                transform: static (_, _) => true)
            .Collect()
            .Select(static (statements, _) => !statements.IsEmpty)
            .WithTrackingName(TrackingNames.TopLevelStatements);

        IncrementalValueProvider<((ImmutableArray<EntryPluginSpec> Plugins, (EntryPointInfo Info, bool TopLevel) Facts) Own, EquatableArray<LibraryPluginSpec> Libraries)> entryPoint =
            entryPlugins.Combine(compilationInfo.Combine(hasTopLevelStatements)).Combine(libraryPlugins)
            .WithTrackingName(TrackingNames.EntryPoint);

        context.RegisterSourceOutput(entryPoint, static (output, input) =>
        {
            var (own, facts) = input.Own;
            if (!facts.Info.IsExecutable || facts.Info.HasMainMethod || facts.TopLevel)
            {
                return;
            }

            if (own.Any(static p => p.UsesServices) && !facts.Info.HasHostingPackage)
            {
                return; // KONG0211: the generated Main could not provide the services
            }

            List<EntryPluginSpec> served = Compose(own, input.Libraries, output);
            if (served.Count == 0)
            {
                return;
            }

            if (!facts.Info.HasHostingPackage && ReportLibraryServicesWithoutHost(input.Libraries, output))
            {
                return; // KONG0222: as KONG0211, for a referenced library's plugin
            }

            output.AddSource("Kong.Pdk.Generated.KongPluginEntryPoint.g.cs", PluginEmitter.GenerateEntryPoint(served, facts.Info.HasHostingPackage));
        });
    }

    /// <summary>The executable's own plugins and the public plugins of its libraries. Reports a library plugin that is
    /// not public (KONG0221, left out) and a name that a library plugin shares with another plugin (KONG0220; two of
    /// the executable's own are KONG0204, from the analyzer).</summary>
    private static List<EntryPluginSpec> Compose(ImmutableArray<EntryPluginSpec> own, EquatableArray<LibraryPluginSpec> libraries, SourceProductionContext output)
    {
        var served = new List<EntryPluginSpec>(own);
        var owners = new Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach (EntryPluginSpec plugin in own.OrderBy(static p => p.FullTypeName, System.StringComparer.Ordinal))
        {
            if (!owners.ContainsKey(plugin.PluginName))
            {
                owners.Add(plugin.PluginName, "'" + Unqualified(plugin.FullTypeName) + "'");
            }
        }

        foreach (LibraryPluginSpec plugin in libraries)
        {
            string owner = "'" + Unqualified(plugin.FullTypeName) + "' of the library '" + plugin.AssemblyName + "'";
            if (!plugin.IsAccessible)
            {
                output.ReportDiagnostic(Diagnostic.Create(Descriptors.LibraryPluginNotPublic, Location.None,
                    plugin.PluginName, Unqualified(plugin.FullTypeName), plugin.AssemblyName));
                continue;
            }

            if (owners.TryGetValue(plugin.PluginName, out string? first))
            {
                output.ReportDiagnostic(Diagnostic.Create(Descriptors.LibraryPluginNameTaken, Location.None, plugin.PluginName, first, owner));
            }
            else
            {
                owners.Add(plugin.PluginName, owner);
            }

            served.Add(new EntryPluginSpec(plugin.PluginName, plugin.FullTypeName, plugin.UsesServices, plugin.HasConfigureServices));
        }

        return served;
    }

    /// <summary>Reports KONG0222 for each served library plugin that takes services, when the generated <c>Main</c>
    /// has no host to provide them; true when there was one.</summary>
    private static bool ReportLibraryServicesWithoutHost(EquatableArray<LibraryPluginSpec> libraries, SourceProductionContext output)
    {
        bool reported = false;
        foreach (LibraryPluginSpec plugin in libraries)
        {
            if (plugin.IsAccessible && plugin.UsesServices)
            {
                output.ReportDiagnostic(Diagnostic.Create(Descriptors.LibraryServicesWithoutHost, Location.None,
                    plugin.PluginName, Unqualified(plugin.FullTypeName), plugin.AssemblyName));
                reported = true;
            }
        }

        return reported;
    }

    private static string Unqualified(string fullTypeName)
        => fullTypeName.StartsWith("global::", System.StringComparison.Ordinal) ? fullTypeName.Substring("global::".Length) : fullTypeName;

    /// <summary>A static method named <c>Main</c> in the author's code (an enum member or a property named Main is not an
    /// entry point and must not suppress the generated one).</summary>
    private static bool HasStaticMain(Compilation compilation, System.Threading.CancellationToken cancellationToken)
    {
        if (!compilation.ContainsSymbolsWithName("Main", SymbolFilter.Member, cancellationToken))
        {
            return false;
        }

        foreach (ISymbol symbol in compilation.GetSymbolsWithName("Main", SymbolFilter.Member, cancellationToken))
        {
            if (symbol is IMethodSymbol { IsStatic: true })
            {
                return true;
            }
        }

        return false;
    }
}
