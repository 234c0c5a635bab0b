using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Collections.Generic;
using System.Linq;
using Kong.Pdk.Generators.Analysis;
using Kong.Pdk.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Kong.Pdk.Generators.Diagnostics;

/// <summary>Configuration properties: unsupported types, invalid defaults and constraints, descriptions, field
/// names, precision (KONG0101–KONG0107). Runs the generator's own <see cref="ConfigModelBuilder"/>, so the
/// diagnostics describe exactly what the schema would contain.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ConfigPropertyAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Descriptors.UnsupportedConfigType,
        Descriptors.InvalidDefault,
        Descriptors.DescriptionLength,
        Descriptors.InvalidConstraint,
        Descriptors.PrecisionLoss,
        Descriptors.DuplicateFieldName,
        Descriptors.InvalidFieldName,
        Descriptors.InvalidPluginSchema,
        Descriptors.SchemaJsonNotAnObject,
        Descriptors.SchemaJsonNotInMetaschema,
        Descriptors.SchemaJsonRepeatsGeneratedKey);

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

            // A configuration class used by two plugins is reported once.
            var reported = new ConcurrentDictionary<(string Id, Location Location), bool>();
            start.RegisterSymbolAction(symbolContext => Analyze(symbolContext, known, reported), SymbolKind.NamedType);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, KnownSymbols known, ConcurrentDictionary<(string, Location), bool> reported)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (PluginSymbols.PluginAttribute(type, known) is null)
        {
            return;
        }

        Compilation compilation = context.Compilation;
        // Defaults come from property initializers, which may sit in other files than the plugin (nested
        // configuration classes); a semantic model per such tree is the only way to read their constant values.
#pragma warning disable RS1030 // Do not invoke Compilation.GetSemanticModel() method within a diagnostic analyzer
        var builder = new ConfigModelBuilder(known, tree => compilation.GetSemanticModel(tree), context.CancellationToken);
#pragma warning restore RS1030
        RecordSpec config = builder.BuildRecord(type);

        // Plugin-level schema parts: [KongProtocols] and the entity checks (KONG0111).
        var schema = new PluginSchemaBuilder(context.CancellationToken);
        var phases = new List<int>();
        for (int phase = 0; phase < KnownNames.Phases.Length; phase++)
        {
            if (PhaseMethods.Handlers(type, phase).Any())
            {
                phases.Add(phase);
            }
        }

        schema.Protocols(type, phases);
        schema.EntityChecks(type, config);
        foreach (ConfigProblem problem in builder.Problems.Concat(schema.Problems))
        {
            Location location = problem.Location ?? Location.None;
            if (reported.TryAdd((problem.Descriptor.Id, location), true))
            {
                context.ReportDiagnostic(Diagnostic.Create(problem.Descriptor, location, problem.Arguments));
            }
        }
    }
}
