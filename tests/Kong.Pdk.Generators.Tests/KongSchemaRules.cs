using System.Text.Json.Nodes;

namespace Kong.Pdk.Generators.Tests;

/// <summary>
/// The metaschema rules of kong-protocol.md §2.4 and §2.6 that a generated schema must pass: fields are arrays of
/// single-key objects, every field has a known type, arrays and sets have elements, maps have keys and values,
/// records have fields, no JSON null, descriptions have 10–500 characters, and constraints sit on the types
/// Kong allows them on.
/// </summary>
public static class KongSchemaRules
{
    private static readonly string[] Types = { "string", "number", "integer", "boolean", "array", "set", "map", "record" };

    public static List<string> Validate(string schemaJson, string pluginName)
    {
        var problems = new List<string>();
        JsonNode? root = JsonNode.Parse(schemaJson);
        if (root is not JsonObject schema)
        {
            return new List<string> { "the schema is not an object" };
        }

        if ((string?)schema["name"] != pluginName)
        {
            problems.Add("name is not " + pluginName);
        }

        if (schema["fields"] is not JsonArray top || top.Count < 1)
        {
            problems.Add("fields is not a non-empty array");
            return problems;
        }

        bool hasConfig = false;
        foreach (JsonNode? entry in top)
        {
            if (entry is JsonObject { Count: 1 } single && single.ContainsKey("config"))
            {
                hasConfig = true;
                if ((string?)single["config"]!["type"] != "record")
                {
                    problems.Add("config is not a record");
                }

                Field("config", single["config"], problems);
            }
        }

        if (!hasConfig)
        {
            problems.Add("no config field");
        }

        return problems;
    }

    private static void Fields(string path, JsonNode? fields, List<string> problems)
    {
        if (fields is not JsonArray array)
        {
            problems.Add(path + ": fields is not an array");
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonNode? item in array)
        {
            if (item is not JsonObject { Count: 1 } single)
            {
                problems.Add(path + ": a field entry is not a single-key object");
                continue;
            }

            var (name, value) = single.First();
            if (!seen.Add(name))
            {
                problems.Add(path + ": duplicate field " + name);
            }

            Field(path + "." + name, value, problems);
        }
    }

    private static void Field(string path, JsonNode? node, List<string> problems)
    {
        if (node is not JsonObject field)
        {
            problems.Add(path + ": not an object");
            return;
        }

        foreach (var (key, value) in field)
        {
            if (value is null)
            {
                problems.Add(path + "." + key + ": JSON null");
            }
        }

        string? type = (string?)field["type"];
        if (type is null || !Types.Contains(type))
        {
            problems.Add(path + ": unknown type " + type);
            return;
        }

        bool numeric = type is "integer" or "number";
        switch (type)
        {
            case "array" or "set":
                if (!field.ContainsKey("elements")) problems.Add(path + ": no elements");
                else Field(path + "[]", field["elements"], problems);
                break;
            case "map":
                if (!field.ContainsKey("keys") || !field.ContainsKey("values")) problems.Add(path + ": map without keys/values");
                else { Field(path + ".keys", field["keys"], problems); Field(path + ".values", field["values"], problems); }
                break;
            case "record":
                Fields(path, field["fields"], problems);
                break;
        }

        if (field["between"] is { } between)
        {
            if (!numeric) problems.Add(path + ": between on " + type);
            if (between is not JsonArray { Count: 2 } range || (double)range[0]! > (double)range[1]!) problems.Add(path + ": bad between");
        }

        if (field.ContainsKey("gt") && !numeric) problems.Add(path + ": gt on " + type);
        if (field["one_of"] is { } oneOf && (type is not ("string" or "number" or "integer") || oneOf is not JsonArray { Count: > 0 }))
        {
            problems.Add(path + ": bad one_of");
        }

        if (field.ContainsKey("match") && type != "string") problems.Add(path + ": match on " + type);
        if (field.ContainsKey("uuid") && type != "string") problems.Add(path + ": uuid on " + type);
        if (field.ContainsKey("referenceable") && type != "string") problems.Add(path + ": referenceable on " + type);
        if ((field.ContainsKey("len_min") || field.ContainsKey("len_max")) && type is not ("string" or "array" or "set" or "map"))
        {
            problems.Add(path + ": len_* on " + type);
        }

        if (field["description"] is { } description && ((string)description!).Length is < 10 or > 500)
        {
            problems.Add(path + ": description length");
        }

        if (field["required"] is { } required && required.GetValueKind() != System.Text.Json.JsonValueKind.True
            && required.GetValueKind() != System.Text.Json.JsonValueKind.False)
        {
            problems.Add(path + ": required is not a boolean");
        }
    }
}
