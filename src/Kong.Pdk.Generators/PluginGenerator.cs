using System.Collections.Immutable;
using Kong.Pdk.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kong.Pdk.Generators;

/// <summary>
/// Turns every <c>[KongPlugin]</c> partial class into a Kong plugin: phase dispatch, descriptor, schema and
/// configuration binder, plus a <c>Main</c> for executables that have none. Wiring only; see the Parser and
/// Emitter parts.
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
            .Select(static (spec, _) => new EntryPluginSpec(spec.PluginName, spec.FullTypeName))
            .WithTrackingName(TrackingNames.EntryPlugins)
            .Collect()
            .WithTrackingName(TrackingNames.AllEntryPlugins);

        IncrementalValueProvider<EntryPointInfo> compilationInfo = context.CompilationProvider
            .Select(static (compilation, cancellationToken) => new EntryPointInfo(
                compilation.Options.OutputKind is OutputKind.ConsoleApplication or OutputKind.WindowsApplication,
                HasStaticMain(compilation, cancellationToken)))
            .WithTrackingName(TrackingNames.CompilationInfo);

        IncrementalValueProvider<bool> hasTopLevelStatements = context.SyntaxProvider
            .CreateSyntaxProvider(
                predicate: static (node, _) => node is GlobalStatementSyntax,
                transform: static (_, _) => true)
            .Collect()
            .Select(static (statements, _) => !statements.IsEmpty)
            .WithTrackingName(TrackingNames.TopLevelStatements);

        IncrementalValueProvider<(ImmutableArray<EntryPluginSpec> Plugins, (EntryPointInfo Info, bool TopLevel) Facts)> entryPoint =
            entryPlugins.Combine(compilationInfo.Combine(hasTopLevelStatements))
            .WithTrackingName(TrackingNames.EntryPoint);

        context.RegisterSourceOutput(entryPoint, static (output, input) =>
        {
            if (input.Plugins.IsEmpty || !input.Facts.Info.IsExecutable || input.Facts.Info.HasMainMethod || input.Facts.TopLevel)
            {
                return;
            }

            output.AddSource("Kong.Pdk.Generated.KongPluginEntryPoint.g.cs", PluginEmitter.GenerateEntryPoint(input.Plugins));
        });
    }

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
