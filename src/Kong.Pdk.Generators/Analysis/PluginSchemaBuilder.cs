using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Kong.Pdk.Generators.Diagnostics;
using Kong.Pdk.Generators.Helpers;
using Kong.Pdk.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Kong.Pdk.Generators.Analysis;

/// <summary>
/// The plugin-level parts of the schema: the <c>protocols</c> field beside <c>config</c> (from
/// <c>[KongProtocols]</c>, or derived from the phases) and the <c>entity_checks</c> of the
/// <c>KongEntityCheckAttribute</c> attributes. Used by the generator and by <c>ConfigPropertyAnalyzer</c>, which reports
/// <see cref="Problems"/> (KONG0111).
/// </summary>
internal sealed partial class PluginSchemaBuilder
{
    /// <summary>Kong's protocols (<c>constants.PROTOCOLS</c>), in the order Kong lists them.</summary>
    public static readonly string[] KongProtocols = { "grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough", "udp", "ws", "wss" };

    private static readonly string[] HttpDefault = { "grpc", "grpcs", "http", "https" };
    private static readonly string[] StreamDefault = { "tcp", "tls", "tls_passthrough", "udp" };

    private static readonly Dictionary<string, string> CheckKeys = new(StringComparer.Ordinal)
    {
        ["KongAtLeastOneOfAttribute"] = "at_least_one_of",
        ["KongOnlyOneOfAttribute"] = "only_one_of",
        ["KongMutuallyRequiredAttribute"] = "mutually_required",
        ["KongMutuallyExclusiveAttribute"] = "mutually_exclusive",
        ["KongDistinctAttribute"] = "distinct",
    };

    private readonly CancellationToken _cancellationToken;

    public PluginSchemaBuilder(CancellationToken cancellationToken) => _cancellationToken = cancellationToken;

    public List<ConfigProblem> Problems { get; } = new();

    /// <summary>The <c>protocols</c> field definition as JSON, or <see langword="null"/> for Kong's default.</summary>
    public string? Protocols(INamedTypeSymbol plugin, IEnumerable<int> phases)
    {
        string[]? protocols = null;
        foreach (AttributeData attribute in plugin.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() != "Kong.Pdk.KongProtocolsAttribute" || attribute.ConstructorArguments.Length != 1)
            {
                continue;
            }

            var values = attribute.ConstructorArguments[0].Values.Select(static v => v.Value as string).ToList();
            string? problem = values.Count == 0 ? "give at least one protocol"
                : values.FirstOrDefault(v => v is null || Array.IndexOf(KongProtocols, v) < 0) is { } unknown || values.Contains(null)
                    ? "'" + (values.FirstOrDefault(v => v is null || Array.IndexOf(KongProtocols, v) < 0) ?? "null") + "' is not a Kong protocol (" + string.Join(", ", KongProtocols) + ")"
                    : values.Distinct(StringComparer.Ordinal).Count() != values.Count ? "a protocol is listed twice" : null;
            if (problem is not null)
            {
                Problems.Add(new ConfigProblem(Descriptors.InvalidPluginSchema, Where(attribute, plugin), "KongProtocols", plugin.Name, problem));
                return null;
            }

            protocols = values.Select(static v => v!).ToArray();
        }

        if (protocols is null)
        {
            var set = new HashSet<int>(phases);
            const int Preread = 4;
            if (!set.Contains(Preread))
            {
                return null; // Kong's own default for plugins: grpc, grpcs, http, https
            }

            bool http = set.Contains(1) || set.Contains(2) || set.Contains(3); // rewrite, access, response
            protocols = http ? HttpDefault.Concat(StreamDefault).ToArray() : StreamDefault;
        }

        string Array_(IEnumerable<string> items) => "[" + string.Join(",", items.Select(JsonText.String)) + "]";
        return "{\"type\":\"set\",\"required\":true,\"default\":" + Array_(protocols)
            + ",\"elements\":{\"type\":\"string\",\"one_of\":" + Array_(KongProtocols) + "}}";
    }

    /// <summary>
    /// The <c>consumer</c>, <c>route</c> and <c>service</c> restrictions of <c>[KongNoConsumer]</c>, <c>[KongNoRoute]</c>
    /// and <c>[KongNoService]</c>, as the single-key field objects Kong's <c>typedefs.no_consumer</c> (and the like)
    /// give: a <c>foreign</c> field that must be null (<c>eq = ngx.null</c>, which cjson gives for JSON <c>null</c>).
    /// </summary>
    public static List<string> Restrictions(INamedTypeSymbol plugin)
    {
        var restrictions = new List<string>();
        foreach ((string attribute, string field, string table) in new[]
                 {
                     ("KongNoConsumerAttribute", "consumer", "consumers"),
                     ("KongNoRouteAttribute", "route", "routes"),
                     ("KongNoServiceAttribute", "service", "services"),
                 })
        {
            if (plugin.GetAttributes().Any(a => a.AttributeClass is { } c && c.Name == attribute && c.ContainingNamespace?.ToDisplayString() == "Kong.Pdk"))
            {
                restrictions.Add("{" + JsonText.String(field) + ":{\"type\":\"foreign\",\"reference\":" + JsonText.String(table) + ",\"eq\":null}}");
            }
        }

        return restrictions;
    }

    /// <summary>The entity checks as JSON objects, e.g. <c>{"at_least_one_of":["config.a","config.b"]}</c>.</summary>
    public List<string> EntityChecks(INamedTypeSymbol plugin, RecordSpec config)
    {
        var checks = new List<string>();
        foreach (AttributeData attribute in plugin.GetAttributes())
        {
            _cancellationToken.ThrowIfCancellationRequested();
            string? name = attribute.AttributeClass?.Name;
            if (name is null || attribute.AttributeClass!.ContainingNamespace?.ToDisplayString() != "Kong.Pdk")
            {
                continue;
            }

            if (ConditionalCheck(attribute, name, plugin, config) is { } conditional)
            {
                checks.Add(conditional);
                continue;
            }

            if (!CheckKeys.TryGetValue(name, out string? key) || attribute.ConstructorArguments.Length != 1)
            {
                continue;
            }

            var fields = attribute.ConstructorArguments[0].Values.Select(static v => v.Value as string ?? string.Empty).ToList();
            int minimum = key == "at_least_one_of" ? 1 : 2;
            string shortName = name.Substring(0, name.Length - "Attribute".Length);
            string? problem = fields.Count < minimum ? "name at least " + minimum + " field" + (minimum > 1 ? "s" : string.Empty)
                : fields.Distinct(StringComparer.Ordinal).Count() != fields.Count ? "a field is named twice"
                : fields.Select(f => Resolve(config, f)).FirstOrDefault(static p => p is not null);
            if (problem is not null)
            {
                Problems.Add(new ConfigProblem(Descriptors.InvalidPluginSchema, Where(attribute, plugin), shortName, plugin.Name, problem));
                continue;
            }

            checks.Add("{" + JsonText.String(key) + ":[" + string.Join(",", fields.Select(static f => JsonText.String("config." + f))) + "]}");
        }

        return checks;
    }

    /// <summary>Why <paramref name="path"/> names no field of <paramref name="record"/>, or <see langword="null"/>.</summary>
    private static string? Resolve(RecordSpec record, string path) => Find(record, path, out _);

    /// <summary>The field <paramref name="path"/> names, or why it names none.</summary>
    private static string? Find(RecordSpec record, string path, out ConfigFieldSpec? found)
    {
        found = null;
        string[] parts = path.Split('.');
        RecordSpec? current = record;
        for (int i = 0; i < parts.Length; i++)
        {
            ConfigFieldSpec? field = current?.Fields.FirstOrDefault(f => f.WireName == parts[i]);
            if (field is null)
            {
                return "'" + path + "' is not a configuration field (use schema names, such as 'max_retries')";
            }

            current = field.Type.Kind == ConfigKind.Record ? field.Type.Record : null;
            if (current is null && i < parts.Length - 1)
            {
                return "'" + path + "' goes through '" + parts[i] + "', which is not a record";
            }

            found = field;
        }

        return null;
    }

    private Location? Where(AttributeData attribute, INamedTypeSymbol plugin)
        => attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken).GetLocation() ?? plugin.Locations.FirstOrDefault();
}
