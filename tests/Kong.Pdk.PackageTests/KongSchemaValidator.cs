using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Kong.Pdk.PackageTests;

/// <summary>A rule of kong-protocol.md §2.4–§2.6 that a dump breaks; the message names every offending path.</summary>
public sealed class KongSchemaRuleException(IReadOnlyList<string> violations, string json)
    : Exception($"The dump breaks {violations.Count} of Kong's schema rules (kong-protocol.md §2.4–§2.6):\n  "
                + string.Join("\n  ", violations) + "\nDump:\n" + json)
{
    public IReadOnlyList<string> Violations { get; } = violations;
}

/// <summary>What a valid dump holds for its one plugin.</summary>
public sealed record KongDumpInfo(string Name, string Version, long Priority, IReadOnlyList<string> Phases, JsonElement ConfigFields);

/// <summary>
/// Checks a <c>-dump</c> against the rules Kong applies when it loads an external plugin (kong-protocol.md
/// §2.2–§2.6): the dump's object form, the plugin's name, version, priority and phases, and the schema the way
/// Kong's metaschema reads it — fields as arrays of single-key objects, a valid type on every field, the
/// sub-schemas each type needs, no JSON null anywhere, descriptions of 10–500 characters, constraints only on
/// the types that allow them, and defaults that type-check. Every violation is reported with its JSON path,
/// e.g. <c>$.Plugins[0].Schema.fields[0].config.fields[3].windows.elements.fields[1].limit.between</c>.
/// </summary>
public static partial class KongSchemaValidator
{
    /// <summary>Kong's phases for external plugins, in the order Kong runs them.</summary>
    public static readonly IReadOnlyList<string> KongPhases = ["certificate", "rewrite", "access", "response", "preread", "log"];

    private static readonly HashSet<string> FieldTypes = ["string", "number", "integer", "boolean", "array", "set", "map", "record"];

    // Every attribute of a field that kong-protocol.md §2.6 lists, plus the sub-schema keys. Anything else is a typo
    // or an attribute Kong would reject (custom_validator, transformations, ...).
    private static readonly HashSet<string> KnownAttributes =
    [
        "type", "required", "default", "description", "examples", "one_of", "not_one_of", "between", "gt", "len_eq",
        "len_min", "len_max", "match", "not_match", "match_all", "match_none", "match_any", "starts_with", "is_regex",
        "uuid", "timestamp", "contains", "referenceable", "encrypted", "immutable", "deprecation", "eq", "ne", "err",
        "mutually_exclusive_subsets", "elements", "keys", "values", "fields",
        // DAO attributes the metaschema accepts on any field ([KongSchemaJson] may write them)
        "auto", "unique", "unique_across_ws", "transient", "generate_admin_api",
    ];

    /// <summary>Validates a dump that must hold exactly one plugin; throws <see cref="KongSchemaRuleException"/>.</summary>
    /// <param name="json">The text <c>-dump</c> printed.</param>
    /// <param name="expectedPhases">The phases the plugin implements (its handler methods), when known.</param>
    public static KongDumpInfo ValidateDump(string json, IEnumerable<string>? expectedPhases = null)
    {
        var errors = new List<string>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new KongSchemaRuleException([$"$: not JSON ({ex.Message})"], json);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            FindNulls(root, "$", errors);
            KongDumpInfo? info = CheckDump(root, errors, expectedPhases?.ToList());
            if (errors.Count > 0 || info is null)
            {
                throw new KongSchemaRuleException(errors.Count > 0 ? errors : ["$: no plugin"], json);
            }

            // Detach the config fields from the document, which is disposed here.
            return info with { ConfigFields = info.ConfigFields.Clone() };
        }
    }

    /// <summary>Validates one plugin schema (the dump's <c>Schema</c> object); returns every violation with its path.
    /// Used on the generator's output, where there is no dump around the schema.</summary>
    public static List<string> ValidateSchema(string schemaJson, string pluginName)
    {
        var errors = new List<string>();
        using JsonDocument document = JsonDocument.Parse(schemaJson);
        FindNulls(document.RootElement, "$", errors);
        CheckSchema(document.RootElement, "$", pluginName, errors);
        return errors;
    }

    /// <summary>
    /// Validates a plugin configuration against a schema the way Kong's Admin API does after defaults are filled:
    /// a required field must be present and not null, and a <c>record</c> without <c>required</c> is required at every
    /// depth (<c>make_records_required</c>, kong/db/schema/entity.lua); only <c>"required": false</c> lets a record be
    /// absent or null. Values are checked with the field's type and validators. Returns every violation with its path.
    /// </summary>
    public static List<string> ValidateConfig(string schemaJson, string configJson)
    {
        var errors = new List<string>();
        using JsonDocument schema = JsonDocument.Parse(schemaJson);
        using JsonDocument config = JsonDocument.Parse(configJson);
        JsonElement configField = schema.RootElement.GetProperty("fields").EnumerateArray()
            .Select(f => f.EnumerateObject().First()).First(p => p.Name == "config").Value;
        CheckRecordValue(config.RootElement, configField, "config", errors);
        return errors;
    }

    private static void CheckRecordValue(JsonElement value, JsonElement record, string path, List<string> errors)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}: expected a record, got {Kind(value)}");
            return;
        }

        foreach (JsonElement entry in record.GetProperty("fields").EnumerateArray())
        {
            JsonProperty definition = entry.EnumerateObject().First();
            JsonElement field = definition.Value;
            string fieldPath = $"{path}.{definition.Name}";
            string type = field.GetProperty("type").GetString()!;
            bool required = field.TryGetProperty("required", out JsonElement r) ? r.ValueKind == JsonValueKind.True : type == "record";
            if (!value.TryGetProperty(definition.Name, out JsonElement item) || item.ValueKind == JsonValueKind.Null)
            {
                if (required)
                {
                    errors.Add($"{fieldPath}: required field missing");
                }

                continue;
            }

            if (type == "record")
            {
                CheckRecordValue(item, field, fieldPath, errors);
            }
            else
            {
                CheckValue(item, field, fieldPath, errors, constraints: true);
            }
        }
    }

    private static KongDumpInfo? CheckDump(JsonElement root, List<string> errors, List<string>? expectedPhases)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"$: the dump must be an object {{\"Protocol\", \"Plugins\"}} (the bare-array form has no protocol), got {Kind(root)}");
            return null;
        }

        if (!root.TryGetProperty("Protocol", out JsonElement protocol) || protocol.ValueKind != JsonValueKind.String
            || protocol.GetString() != "MsgPack:1")
        {
            errors.Add("$.Protocol: must be the string \"MsgPack:1\"");
        }

        if (!root.TryGetProperty("Plugins", out JsonElement plugins) || plugins.ValueKind != JsonValueKind.Array)
        {
            errors.Add("$.Plugins: must be an array");
            return null;
        }

        if (plugins.GetArrayLength() != 1)
        {
            errors.Add($"$.Plugins: must hold exactly one plugin, holds {plugins.GetArrayLength()}");
            return null;
        }

        return CheckPlugin(plugins[0], "$.Plugins[0]", errors, expectedPhases);
    }

    private static KongDumpInfo? CheckPlugin(JsonElement plugin, string path, List<string> errors, List<string>? expectedPhases)
    {
        if (plugin.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}: must be an object, got {Kind(plugin)}");
            return null;
        }

        string name = "";
        if (!plugin.TryGetProperty("Name", out JsonElement nameElement) || nameElement.ValueKind != JsonValueKind.String
            || !PluginName().IsMatch(name = nameElement.GetString()!))
        {
            errors.Add($"{path}.Name: must be a plugin name (lower-case letter, then letters, digits, '-', '_'), got {Show(nameElement)}");
        }

        string version = "";
        if (!plugin.TryGetProperty("Version", out JsonElement versionElement) || versionElement.ValueKind != JsonValueKind.String
            || !SemVer().IsMatch(version = versionElement.GetString()!))
        {
            errors.Add($"{path}.Version: must be a string \"x.y.z\", got {Show(versionElement)}");
        }

        long priority = 0;
        if (!plugin.TryGetProperty("Priority", out JsonElement priorityElement) || !IsInteger(priorityElement, out priority))
        {
            errors.Add($"{path}.Priority: must be an integer, got {Show(priorityElement)}");
        }

        var phases = new List<string>();
        if (!plugin.TryGetProperty("Phases", out JsonElement phasesElement) || phasesElement.ValueKind != JsonValueKind.Array)
        {
            errors.Add($"{path}.Phases: must be an array of phase names");
        }
        else
        {
            int i = 0;
            foreach (JsonElement phase in phasesElement.EnumerateArray())
            {
                string? value = phase.ValueKind == JsonValueKind.String ? phase.GetString() : null;
                if (value is null || !KongPhases.Contains(value))
                {
                    errors.Add($"{path}.Phases[{i}]: must be one of {string.Join(", ", KongPhases)}, got {Show(phase)}");
                }
                else if (phases.Contains(value))
                {
                    errors.Add($"{path}.Phases[{i}]: '{value}' is listed twice");
                }
                else
                {
                    phases.Add(value);
                }

                i++;
            }

            if (phases.Count == 0)
            {
                errors.Add($"{path}.Phases: a plugin without phases never runs");
            }

            if (expectedPhases is not null && !phases.Order(StringComparer.Ordinal).SequenceEqual(expectedPhases.Order(StringComparer.Ordinal)))
            {
                errors.Add($"{path}.Phases: must match the handlers [{string.Join(", ", expectedPhases)}], got [{string.Join(", ", phases)}]");
            }
        }

        if (!plugin.TryGetProperty("Schema", out JsonElement schema) || schema.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}.Schema: must be an object");
            return null;
        }

        return new KongDumpInfo(name, version, priority, phases, CheckSchema(schema, $"{path}.Schema", name, errors));
    }

    private static JsonElement CheckSchema(JsonElement schema, string path, string pluginName, List<string> errors)
    {
        if (!schema.TryGetProperty("name", out JsonElement name) || name.ValueKind != JsonValueKind.String || name.GetString() != pluginName)
        {
            errors.Add($"{path}.name: must equal the plugin name \"{pluginName}\", got {Show(name)}");
        }

        foreach (JsonProperty property in schema.EnumerateObject())
        {
            if (property.Name is not ("name" or "fields" or "entity_checks"))
            {
                errors.Add($"{path}.{property.Name}: not a key of a plugin schema (name, fields, entity_checks)");
            }
        }

        if (!schema.TryGetProperty("fields", out JsonElement fields) || fields.ValueKind != JsonValueKind.Array)
        {
            errors.Add($"{path}.fields: must be an array of single-key objects");
            return default;
        }

        JsonElement config = default;
        foreach ((string fieldName, JsonElement definition, string fieldPath) in SingleKeyObjects(fields, $"{path}.fields", errors))
        {
            if (fieldName == "config")
            {
                config = definition;
                if (!definition.TryGetProperty("type", out JsonElement type) || type.ValueKind != JsonValueKind.String || type.GetString() != "record")
                {
                    errors.Add($"{fieldPath}.type: config must be a record");
                }
            }
            else if (fieldName is "consumer" or "route" or "service" or "consumer_group")
            {
                CheckRestriction(fieldName, definition, fieldPath, errors);
                continue;
            }
            else if (fieldName is not "protocols")
            {
                errors.Add($"{fieldPath}: a plugin schema's top-level fields are config, protocols, consumer, route, service (got '{fieldName}')");
            }

            CheckField(definition, fieldPath, errors);
        }

        if (config.ValueKind == JsonValueKind.Undefined)
        {
            errors.Add($"{path}.fields: no 'config' record");
            return default;
        }

        if (schema.TryGetProperty("entity_checks", out JsonElement checks))
        {
            CheckEntityChecks(checks, $"{path}.entity_checks", config, errors);
        }

        return config.TryGetProperty("fields", out JsonElement configFields) ? configFields : default;
    }

    /// <summary>A restriction beside config, as Kong's <c>typedefs.no_consumer</c>, <c>no_route</c>, <c>no_service</c> give
    /// it: a <c>foreign</c> field on the entity's own table with <c>eq</c> JSON <c>null</c> (cjson's <c>ngx.null</c>).
    /// Anything else would redefine the plugins entity's foreign key.</summary>
    private static void CheckRestriction(string name, JsonElement field, string path, List<string> errors)
    {
        string table = name + "s";
        if (field.ValueKind != JsonValueKind.Object
            || !field.TryGetProperty("type", out JsonElement type) || type.ValueKind != JsonValueKind.String || type.GetString() != "foreign"
            || !field.TryGetProperty("reference", out JsonElement reference) || reference.ValueKind != JsonValueKind.String || reference.GetString() != table
            || !field.TryGetProperty("eq", out JsonElement eq) || eq.ValueKind != JsonValueKind.Null
            || field.EnumerateObject().Any(p => p.Name is not ("type" or "reference" or "eq" or "description")))
        {
            errors.Add($"{path}: must be {{\"type\": \"foreign\", \"reference\": \"{table}\", \"eq\": null}} (typedefs.no_{name}), got {Show(field)}");
        }
    }

    /// <summary>Kong's entity checkers (metaschema.lua); the list-of-fields ones must name fields that exist
    /// (<c>config.a</c>, <c>config.record.field</c>). Function-valued checks cannot come from JSON.</summary>
    private static void CheckEntityChecks(JsonElement checks, string path, JsonElement config, List<string> errors)
    {
        if (checks.ValueKind != JsonValueKind.Array)
        {
            errors.Add($"{path}: must be an array of single-key objects");
            return;
        }

        int i = 0;
        foreach (JsonElement check in checks.EnumerateArray())
        {
            string checkPath = $"{path}[{i++}]";
            List<JsonProperty> keys = check.ValueKind == JsonValueKind.Object ? check.EnumerateObject().ToList() : [];
            if (keys.Count != 1)
            {
                errors.Add($"{checkPath}: an entity check is an object with one key");
                continue;
            }

            string name = keys[0].Name;
            JsonElement value = keys[0].Value;
            if (name is "at_least_one_of" or "only_one_of" or "mutually_required" or "mutually_exclusive" or "distinct")
            {
                if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0 || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
                {
                    errors.Add($"{checkPath}.{name}: must be a non-empty array of field names");
                    continue;
                }

                foreach (JsonElement field in value.EnumerateArray())
                {
                    if (!HasConfigField(config, field.GetString()!))
                    {
                        errors.Add($"{checkPath}.{name}: '{field.GetString()}' is not a field of the schema (config.<field>)");
                    }
                }
            }
            else if (name is "conditional" or "conditional_at_least_one_of" or "mutually_exclusive_sets")
            {
                if (value.ValueKind != JsonValueKind.Object)
                {
                    errors.Add($"{checkPath}.{name}: must be an object");
                }
                else
                {
                    CheckRecordCheck(name, value, $"{checkPath}.{name}", config, errors);
                }
            }
            else
            {
                errors.Add($"{checkPath}: '{name}' is not an entity check Kong reads from JSON");
            }
        }
    }

    /// <summary>The record-valued entity checks (metaschema.lua <c>entity_checkers</c>; init.lua's checkers): every key
    /// known, the field names fields of the schema, the parts each checker reads present (a missing <c>if_match</c>,
    /// <c>then_match</c> or <c>then_at_least_one_of</c> makes Kong's checker fail on nil), <c>*_err</c> strings Lua can
    /// format with one value, and each condition a record of Kong's <c>conditional_validators</c> that fits its field.</summary>
    private static void CheckRecordCheck(string name, JsonElement value, string path, JsonElement config, List<string> errors)
    {
        (string Key, string Shape, bool Required)[] parts = name switch
        {
            "conditional" => [("if_field", "field", true), ("if_match", "if", true), ("then_field", "field", true), ("then_match", "then", true),
                ("then_err", "err", false)],
            "conditional_at_least_one_of" => [("if_field", "field", true), ("if_match", "if", true), ("then_at_least_one_of", "fields", true),
                ("then_err", "err", false), ("else_match", "if", false), ("else_then_at_least_one_of", "fields", false), ("else_then_err", "err", false)],
            _ => [("set1", "fields", true), ("set2", "fields", true)],
        };
        foreach (JsonProperty property in value.EnumerateObject())
        {
            if (!parts.Any(p => p.Key == property.Name))
            {
                errors.Add($"{path}.{property.Name}: not a key of {name} ({string.Join(", ", parts.Select(p => p.Key))})");
            }
        }

        foreach ((string key, _, bool required) in parts)
        {
            if (required && !value.TryGetProperty(key, out _))
            {
                errors.Add($"{path}: needs '{key}'");
            }
        }

        if (value.TryGetProperty("else_match", out _) != value.TryGetProperty("else_then_at_least_one_of", out _))
        {
            errors.Add($"{path}: else_match and else_then_at_least_one_of go together");
        }

        foreach ((string key, string shape, _) in parts)
        {
            if (!value.TryGetProperty(key, out JsonElement part))
            {
                continue;
            }

            string partPath = $"{path}.{key}";
            switch (shape)
            {
                case "field":
                    if (part.ValueKind != JsonValueKind.String || !HasConfigField(config, part.GetString()!))
                    {
                        errors.Add($"{partPath}: {part.GetRawText()} is not a field of the schema (config.<field>)");
                    }

                    break;
                case "fields":
                    if (part.ValueKind != JsonValueKind.Array || part.GetArrayLength() == 0 || part.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
                    {
                        errors.Add($"{partPath}: must be a non-empty array of field names");
                    }
                    else
                    {
                        foreach (JsonElement missing in part.EnumerateArray().Where(f => !HasConfigField(config, f.GetString()!)))
                        {
                            errors.Add($"{partPath}: '{missing.GetString()}' is not a field of the schema (config.<field>)");
                        }
                    }

                    break;
                case "err":
                    if (part.ValueKind != JsonValueKind.String || !LuaFormatsOneString(part.GetString()!))
                    {
                        errors.Add($"{partPath}: must be a string Lua's string.format can fill with one string ('%s', '%%'), got {part.GetRawText()}");
                    }

                    break;
                default:
                    string fieldKey = shape == "then" ? "then_field" : "if_field";
                    JsonElement? field = value.TryGetProperty(fieldKey, out JsonElement fieldName) && fieldName.ValueKind == JsonValueKind.String
                        ? ConfigField(config, fieldName.GetString()!) : null;
                    CheckCondition(part, field, partPath, errors);
                    break;
            }
        }
    }

    private static readonly HashSet<string> ConditionKeys =
    [
        "required", "elements", "keys", "values", "between", "eq", "ne", "gt", "len_eq", "len_min", "len_max", "match", "not_match",
        "match_all", "match_none", "match_any", "starts_with", "one_of", "not_one_of", "contains", "is_regex", "timestamp", "uuid",
        "mutually_exclusive_subsets",
    ];

    /// <summary>A condition (<c>if_match</c>, ...) is a record of Kong's <c>conditional_validators</c>. Kong applies it to
    /// the field's value with the field's definition behind it (a metatable <c>__index</c>), so it is checked as the field's
    /// type with these validators.</summary>
    private static void CheckCondition(JsonElement condition, JsonElement? field, string path, List<string> errors)
    {
        if (condition.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}: must be an object of validators");
            return;
        }

        var merged = new System.Text.Json.Nodes.JsonObject();
        if (field is { } definition && definition.TryGetProperty("type", out JsonElement type))
        {
            merged["type"] = type.GetString();
            foreach (string inherited in (string[])["elements", "keys", "values", "fields"])
            {
                if (definition.TryGetProperty(inherited, out JsonElement sub) && !condition.TryGetProperty(inherited, out _))
                {
                    merged[inherited] = System.Text.Json.Nodes.JsonNode.Parse(sub.GetRawText());
                }
            }
        }

        foreach (JsonProperty property in condition.EnumerateObject())
        {
            if (!ConditionKeys.Contains(property.Name))
            {
                errors.Add($"{path}.{property.Name}: not a validator Kong applies in a condition");
                continue;
            }

            merged[property.Name] = System.Text.Json.Nodes.JsonNode.Parse(property.Value.GetRawText());
        }

        if (field is null)
        {
            return; // the field name is reported already
        }

        using JsonDocument document = JsonDocument.Parse(merged.ToJsonString());
        CheckField(document.RootElement, path, errors);
    }

    /// <summary>Lua's <c>string.format(text, s)</c> succeeds with one string: at most one <c>%s</c>, <c>%%</c>, nothing else.</summary>
    private static bool LuaFormatsOneString(string text)
    {
        int placeholders = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '%')
            {
                char next = i + 1 < text.Length ? text[i + 1] : '\0';
                if (next == 's')
                {
                    placeholders++;
                }
                else if (next != '%')
                {
                    return false;
                }

                i++;
            }
        }

        return placeholders <= 1;
    }

    /// <summary>The definition of <c>config.a.b</c>, or <see langword="null"/>.</summary>
    private static JsonElement? ConfigField(JsonElement config, string dotted)
    {
        if (!HasConfigField(config, dotted))
        {
            return null;
        }

        JsonElement current = config;
        foreach (string part in dotted.Split('.').Skip(1))
        {
            current = current.GetProperty("fields").EnumerateArray().First(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(part, out _)).GetProperty(part);
        }

        return current;
    }

    private static bool HasConfigField(JsonElement config, string dotted)
    {
        string[] parts = dotted.Split('.');
        if (parts.Length < 2 || parts[0] != "config")
        {
            return false;
        }

        JsonElement record = config;
        for (int i = 1; i < parts.Length; i++)
        {
            if (!record.TryGetProperty("fields", out JsonElement fields) || fields.ValueKind != JsonValueKind.Array)
            {
                return false;
            }

            JsonElement? next = null;
            foreach (JsonElement entry in fields.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty(parts[i], out JsonElement found))
                {
                    next = found;
                }
            }

            if (next is null)
            {
                return false;
            }

            record = next.Value;
        }

        return true;
    }

    /// <summary>Walks a Kong <c>fields</c> array: every entry an object with exactly one key.</summary>
    private static IEnumerable<(string Name, JsonElement Definition, string Path)> SingleKeyObjects(JsonElement fields, string path, List<string> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int i = 0;
        foreach (JsonElement entry in fields.EnumerateArray())
        {
            string entryPath = $"{path}[{i++}]";
            if (entry.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"{entryPath}: a field must be a single-key object {{\"name\": {{...}}}}, got {Kind(entry)}");
                continue;
            }

            List<JsonProperty> keys = entry.EnumerateObject().ToList();
            if (keys.Count != 1)
            {
                errors.Add($"{entryPath}: a field must be a single-key object, has {keys.Count} keys ({string.Join(", ", keys.Select(k => k.Name))})");
                continue;
            }

            string fieldName = keys[0].Name;
            if (!FieldName().IsMatch(fieldName))
            {
                errors.Add($"{entryPath}: field name '{fieldName}' must be letters, digits, '_' and '-'");
            }

            if (!seen.Add(fieldName))
            {
                errors.Add($"{entryPath}: field name '{fieldName}' is used twice");
            }

            yield return (fieldName, keys[0].Value, $"{entryPath}.{fieldName}");
        }
    }

    private static void CheckField(JsonElement field, string path, List<string> errors)
    {
        if (field.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}: a field definition must be an object, got {Kind(field)}");
            return;
        }

        if (!field.TryGetProperty("type", out JsonElement typeElement) || typeElement.ValueKind != JsonValueKind.String
            || !FieldTypes.Contains(typeElement.GetString()!))
        {
            errors.Add($"{path}.type: must be one of {string.Join(", ", FieldTypes)}, got {Show(typeElement)}");
            return;
        }

        string type = typeElement.GetString()!;
        foreach (JsonProperty attribute in field.EnumerateObject())
        {
            if (!KnownAttributes.Contains(attribute.Name))
            {
                errors.Add($"{path}.{attribute.Name}: not a Kong field attribute");
            }
        }

        // Sub-schemas: exactly the ones the type needs.
        RequireOnly(field, path, type, "elements", type is "array" or "set", errors);
        RequireOnly(field, path, type, "keys", type == "map", errors);
        RequireOnly(field, path, type, "values", type == "map", errors);
        RequireOnly(field, path, type, "fields", type == "record", errors);
        if (type is "array" or "set" && field.TryGetProperty("elements", out JsonElement elements))
        {
            CheckField(elements, $"{path}.elements", errors);
        }

        if (type == "map")
        {
            if (field.TryGetProperty("keys", out JsonElement keys))
            {
                CheckField(keys, $"{path}.keys", errors);
            }

            if (field.TryGetProperty("values", out JsonElement values))
            {
                CheckField(values, $"{path}.values", errors);
            }
        }

        if (type == "record" && field.TryGetProperty("fields", out JsonElement fields))
        {
            if (fields.ValueKind != JsonValueKind.Array)
            {
                errors.Add($"{path}.fields: must be an array of single-key objects, got {Kind(fields)}");
            }
            else
            {
                foreach ((_, JsonElement definition, string fieldPath) in SingleKeyObjects(fields, $"{path}.fields", errors))
                {
                    CheckField(definition, fieldPath, errors);
                }
            }
        }

        bool numeric = type is "integer" or "number";
        bool lengthy = type is "string" or "array" or "set" or "map";
        CheckBoolean(field, path, "required", true, errors);
        CheckBoolean(field, path, "immutable", true, errors);
        CheckBoolean(field, path, "referenceable", type == "string", errors);
        CheckBoolean(field, path, "encrypted", type == "string", errors);
        CheckBoolean(field, path, "uuid", type == "string", errors);
        CheckBoolean(field, path, "is_regex", type == "string", errors);
        CheckBoolean(field, path, "timestamp", numeric, errors);
        CheckBoolean(field, path, "auto", true, errors);
        CheckBoolean(field, path, "generate_admin_api", true, errors);
        CheckBoolean(field, path, "unique", type is "string" or "number" or "integer", errors);
        CheckBoolean(field, path, "unique_across_ws", type is "string" or "number" or "integer", errors);
        CheckBoolean(field, path, "transient", type is "string" or "number" or "integer" or "array" or "set" or "boolean", errors);
        if (field.TryGetProperty("unique_across_ws", out JsonElement acrossWorkspaces) && acrossWorkspaces.ValueKind == JsonValueKind.True
            && !(field.TryGetProperty("unique", out JsonElement unique) && unique.ValueKind == JsonValueKind.True))
        {
            // metaschema.lua field_entity_checks: if unique_across_ws then unique = true
            errors.Add($"{path}.unique_across_ws: needs \"unique\": true");
        }

        if (field.TryGetProperty("description", out JsonElement description))
        {
            string? text = description.ValueKind == JsonValueKind.String ? description.GetString() : null;
            int chars = text is null ? 0 : text.EnumerateRunes().Count();
            if (text is null || chars < 10 || chars > 500 || Encoding.UTF8.GetByteCount(text) > 500)
            {
                errors.Add($"{path}.description: must be a string of 10–500 characters, got {(text is null ? Kind(description) : $"{chars} characters")}");
            }
        }

        foreach (string key in (string[])["one_of", "not_one_of"])
        {
            if (field.TryGetProperty(key, out JsonElement oneOf))
            {
                if (key == "one_of" && type is not ("string" or "number" or "integer"))
                {
                    errors.Add($"{path}.{key}: only allowed on string, number and integer, not on {type}");
                }
                else if (oneOf.ValueKind != JsonValueKind.Array || oneOf.GetArrayLength() == 0)
                {
                    errors.Add($"{path}.{key}: must be a non-empty array");
                }
                else
                {
                    int i = 0;
                    foreach (JsonElement value in oneOf.EnumerateArray())
                    {
                        CheckValue(value, field, $"{path}.{key}[{i++}]", errors, constraints: false);
                    }
                }
            }
        }

        if (field.TryGetProperty("between", out JsonElement between))
        {
            if (!numeric)
            {
                errors.Add($"{path}.between: only allowed on integer and number, not on {type}");
            }
            else if (between.ValueKind != JsonValueKind.Array || between.GetArrayLength() != 2
                     || between.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.Number || (type == "integer" && !IsInteger(v, out _))))
            {
                errors.Add($"{path}.between: must be [min, max] of {type}s, got {between.GetRawText()}");
            }
            else if (between[0].GetDouble() > between[1].GetDouble())
            {
                errors.Add($"{path}.between: min {between[0].GetRawText()} is greater than max {between[1].GetRawText()}");
            }
        }

        if (field.TryGetProperty("gt", out JsonElement gt) && (!numeric || gt.ValueKind != JsonValueKind.Number))
        {
            errors.Add($"{path}.gt: must be a number on an integer or number field (field is {type}), got {Show(gt)}");
        }

        foreach (string key in (string[])["len_eq", "len_min", "len_max"])
        {
            if (field.TryGetProperty(key, out JsonElement length)
                && (!lengthy || !IsInteger(length, out long n) || n < 0))
            {
                errors.Add($"{path}.{key}: must be a non-negative integer on a string, array, set or map (field is {type}), got {Show(length)}");
            }
        }

        if (field.TryGetProperty("len_min", out JsonElement min) && field.TryGetProperty("len_max", out JsonElement max)
            && IsInteger(min, out long lenMin) && IsInteger(max, out long lenMax) && lenMin > lenMax)
        {
            errors.Add($"{path}.len_min: {lenMin} is greater than len_max {lenMax}");
        }

        foreach (string key in (string[])["match", "not_match", "starts_with"])
        {
            if (field.TryGetProperty(key, out JsonElement pattern) && (type != "string" || pattern.ValueKind != JsonValueKind.String))
            {
                errors.Add($"{path}.{key}: must be a string on a string field (field is {type}), got {Show(pattern)}");
            }
        }

        foreach ((string patternPath, string pattern) in Patterns(field, path, type, errors))
        {
            if (LuaPattern.Check(pattern) is { } patternError)
            {
                errors.Add($"{patternPath}: not a valid Lua pattern ({patternError})");
            }
        }

        if (field.TryGetProperty("contains", out JsonElement contains))
        {
            if (type is not ("array" or "set"))
            {
                errors.Add($"{path}.contains: only allowed on array and set, not on {type} (value {contains.GetRawText()})");
            }
            else if (field.TryGetProperty("elements", out JsonElement containsElements) && containsElements.TryGetProperty("type", out _))
            {
                CheckValue(contains, containsElements, $"{path}.contains", errors, constraints: false);
            }
        }

        // eq and ne hold a value of the field, or JSON null (cjson's ngx.null): {"eq": null} admits only null.
        foreach (string key in (string[])["eq", "ne"])
        {
            if (field.TryGetProperty(key, out JsonElement compared) && compared.ValueKind != JsonValueKind.Null)
            {
                CheckValue(compared, field, $"{path}.{key}", errors, constraints: false);
            }
        }

        if (field.TryGetProperty("mutually_exclusive_subsets", out JsonElement subsets))
        {
            if (type is not ("array" or "set") || subsets.ValueKind != JsonValueKind.Array
                || subsets.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.Array || s.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String)))
            {
                errors.Add($"{path}.mutually_exclusive_subsets: must be an array of arrays of strings on an array or set field (field is {type}), got {subsets.GetRawText()}");
            }
            else if (field.TryGetProperty("elements", out JsonElement subsetElements) && subsetElements.TryGetProperty("type", out _))
            {
                int i = 0;
                foreach (JsonElement subset in subsets.EnumerateArray())
                {
                    int j = 0;
                    foreach (JsonElement item in subset.EnumerateArray())
                    {
                        CheckValue(item, subsetElements, $"{path}.mutually_exclusive_subsets[{i}][{j++}]", errors, constraints: false);
                    }

                    i++;
                }
            }
        }

        if (field.TryGetProperty("default", out JsonElement defaultValue))
        {
            if (type == "record")
            {
                // Kong accepts a record default, but ours never writes one (kong-protocol.md §2.5): sub-defaults come
                // from required records.
                errors.Add($"{path}.default: a record gets its defaults from its fields (make it required), not from a default");
            }
            else
            {
                CheckValue(defaultValue, field, $"{path}.default", errors, constraints: true);
            }
        }
    }

    /// <summary>Checks that a value (a default, a one_of entry, an element of either) has the field's type.</summary>
    private static void CheckValue(JsonElement value, JsonElement field, string path, List<string> errors, bool constraints)
    {
        string type = field.GetProperty("type").GetString()!;
        bool ok = type switch
        {
            "string" => value.ValueKind == JsonValueKind.String,
            "integer" => IsInteger(value, out _),
            "number" => value.ValueKind == JsonValueKind.Number,
            "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "array" or "set" => value.ValueKind == JsonValueKind.Array,
            "map" or "record" => value.ValueKind == JsonValueKind.Object,
            _ => false,
        };
        if (!ok)
        {
            errors.Add($"{path}: {Show(value)} is not a value of type {type}");
            return;
        }

        if (type is "array" or "set" && field.TryGetProperty("elements", out JsonElement elements) && elements.TryGetProperty("type", out _))
        {
            int i = 0;
            var distinct = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonElement item in value.EnumerateArray())
            {
                if (type == "set" && !distinct.Add(item.GetRawText()))
                {
                    errors.Add($"{path}[{i}]: {item.GetRawText()} appears twice in a set");
                }

                CheckValue(item, elements, $"{path}[{i++}]", errors, constraints);
            }
        }

        if (type == "map" && field.TryGetProperty("values", out JsonElement values) && values.TryGetProperty("type", out _))
        {
            field.TryGetProperty("keys", out JsonElement keys);
            foreach (JsonProperty entry in value.EnumerateObject())
            {
                if (keys.ValueKind == JsonValueKind.Object && keys.TryGetProperty("type", out _))
                {
                    using JsonDocument key = JsonDocument.Parse(JsonSerializer.Serialize(entry.Name));
                    CheckValue(key.RootElement, keys, $"{path}.{entry.Name} (key)", errors, constraints);
                }

                CheckValue(entry.Value, values, $"{path}.{entry.Name}", errors, constraints);
            }
        }

        if (!constraints)
        {
            return;
        }

        if (field.TryGetProperty("one_of", out JsonElement oneOf) && oneOf.ValueKind == JsonValueKind.Array
            && !oneOf.EnumerateArray().Any(candidate => JsonEquals(candidate, value)))
        {
            errors.Add($"{path}: {Show(value)} is not one of {oneOf.GetRawText()}");
        }

        if (field.TryGetProperty("not_one_of", out JsonElement notOneOf) && notOneOf.ValueKind == JsonValueKind.Array
            && notOneOf.EnumerateArray().Any(candidate => JsonEquals(candidate, value)))
        {
            errors.Add($"{path}: {Show(value)} is one of not_one_of {notOneOf.GetRawText()}");
        }

        if (field.TryGetProperty("eq", out JsonElement eqValue) && !JsonEquals(eqValue, value))
        {
            errors.Add($"{path}: {Show(value)} is not eq {eqValue.GetRawText()}");
        }

        if (field.TryGetProperty("ne", out JsonElement neValue) && JsonEquals(neValue, value))
        {
            errors.Add($"{path}: {Show(value)} is ne {neValue.GetRawText()}");
        }

        if (type == "string")
        {
            CheckStringValidators(value, field, path, errors);
        }

        if (type is "array" or "set" && field.TryGetProperty("contains", out JsonElement contained)
            && !value.EnumerateArray().Any(item => JsonEquals(item, contained)))
        {
            errors.Add($"{path}: {Show(value)} does not contain {contained.GetRawText()}");
        }

        if (type is "array" or "set" && field.TryGetProperty("mutually_exclusive_subsets", out JsonElement subsets) && subsets.ValueKind == JsonValueKind.Array)
        {
            // Kong (init.lua): the value may hold elements of one subset only.
            int used = subsets.EnumerateArray().Count(subset => subset.ValueKind == JsonValueKind.Array
                && subset.EnumerateArray().Any(member => value.EnumerateArray().Any(item => JsonEquals(item, member))));
            if (used > 1)
            {
                errors.Add($"{path}: {Show(value)} holds values of {used} of the mutually_exclusive_subsets {subsets.GetRawText()}");
            }
        }

        if (field.TryGetProperty("between", out JsonElement between) && value.ValueKind == JsonValueKind.Number
            && between.ValueKind == JsonValueKind.Array && between.GetArrayLength() == 2
            && between.EnumerateArray().All(v => v.ValueKind == JsonValueKind.Number)
            && (value.GetDouble() < between[0].GetDouble() || value.GetDouble() > between[1].GetDouble()))
        {
            errors.Add($"{path}: {value.GetRawText()} is outside between {between.GetRawText()}");
        }

        if (field.TryGetProperty("gt", out JsonElement gt) && value.ValueKind == JsonValueKind.Number
            && gt.ValueKind == JsonValueKind.Number && value.GetDouble() <= gt.GetDouble())
        {
            errors.Add($"{path}: {value.GetRawText()} is not greater than {gt.GetRawText()}");
        }

        long length = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!.EnumerateRunes().Count(),
            JsonValueKind.Array => value.GetArrayLength(),
            JsonValueKind.Object => value.EnumerateObject().Count(),
            _ => -1,
        };
        if (length >= 0)
        {
            // Kong gives every string field without len_min an implicit len_min = 1 (kong/db/schema/init.lua).
            if (field.TryGetProperty("len_min", out JsonElement min) ? IsInteger(min, out long lenMin) && length < lenMin
                : (lenMin = type == "string" ? 1 : 0) > length)
            {
                errors.Add($"{path}: length {length} is below len_min {lenMin}{(field.TryGetProperty("len_min", out _) ? "" : " (implicit on every string field without len_min)")}");
            }

            if (field.TryGetProperty("len_max", out JsonElement max) && IsInteger(max, out long lenMax) && length > lenMax)
            {
                errors.Add($"{path}: length {length} is above len_max {lenMax}");
            }

            if (field.TryGetProperty("len_eq", out JsonElement eq) && IsInteger(eq, out long lenEq) && length != lenEq)
            {
                errors.Add($"{path}: length {length} is not len_eq {lenEq}");
            }
        }
    }

    /// <summary>The Lua patterns of a field's match, not_match, match_all, match_none and match_any, with their paths;
    /// reports a malformed match_* list.</summary>
    private static List<(string Path, string Pattern)> Patterns(JsonElement field, string path, string type, List<string> errors)
    {
        var patterns = new List<(string, string)>();
        foreach (string key in (string[])["match", "not_match"])
        {
            if (field.TryGetProperty(key, out JsonElement pattern) && pattern.ValueKind == JsonValueKind.String)
            {
                patterns.Add(($"{path}.{key}", pattern.GetString()!));
            }
        }

        foreach (string key in (string[])["match_all", "match_none"])
        {
            if (!field.TryGetProperty(key, out JsonElement list))
            {
                continue;
            }

            if (type != "string" || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            {
                errors.Add($"{path}.{key}: must be a non-empty array of {{pattern, err}} on a string field");
                continue;
            }

            int i = 0;
            foreach (JsonElement entry in list.EnumerateArray())
            {
                string entryPath = $"{path}.{key}[{i++}]";
                if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("pattern", out JsonElement pattern)
                    || pattern.ValueKind != JsonValueKind.String
                    || entry.EnumerateObject().Any(p => p.Name is not ("pattern" or "err"))
                    || (entry.TryGetProperty("err", out JsonElement err) && err.ValueKind != JsonValueKind.String))
                {
                    errors.Add($"{entryPath}: must be {{\"pattern\": string, \"err\"?: string}}");
                    continue;
                }

                patterns.Add(($"{entryPath}.pattern", pattern.GetString()!));
            }
        }

        if (field.TryGetProperty("match_any", out JsonElement any))
        {
            if (type != "string" || any.ValueKind != JsonValueKind.Object || !any.TryGetProperty("patterns", out JsonElement list)
                || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0
                || any.EnumerateObject().Any(p => p.Name is not ("patterns" or "err"))
                || (any.TryGetProperty("err", out JsonElement err) && err.ValueKind != JsonValueKind.String))
            {
                errors.Add($"{path}.match_any: must be {{\"patterns\": [string, ...], \"err\"?: string}} on a string field");
            }
            else
            {
                int i = 0;
                foreach (JsonElement pattern in list.EnumerateArray())
                {
                    if (pattern.ValueKind == JsonValueKind.String)
                    {
                        patterns.Add(($"{path}.match_any.patterns[{i}]", pattern.GetString()!));
                    }
                    else
                    {
                        errors.Add($"{path}.match_any.patterns[{i}]: must be a string");
                    }

                    i++;
                }
            }
        }

        return patterns;
    }

    /// <summary>Kong's string validators applied to a value (a default): match*, starts_with, not_one_of, eq, ne.</summary>
    private static void CheckStringValidators(JsonElement value, JsonElement field, string path, List<string> errors)
    {
        string text = value.GetString()!;
        if (field.TryGetProperty("is_regex", out JsonElement isRegex) && isRegex.ValueKind == JsonValueKind.True)
        {
            // Kong compiles it with PCRE; the generator's stand-in (.NET's Regex, PCRE-only syntax unjudged) decides here too.
            if (PcreProxy.Check(text) is { } regexError)
            {
                errors.Add($"{path}: {Show(value)} is not a regular expression (is_regex): {regexError}");
            }
        }

        void Must(string key, string pattern, bool expected)
        {
            bool? matches = LuaPattern.IsMatch(text, pattern);
            if (matches is not null && matches != expected)
            {
                errors.Add($"{path}: {Show(value)} {(expected ? "does not match" : "matches")} the {key} pattern \"{pattern}\"");
            }
        }

        if (field.TryGetProperty("match", out JsonElement match) && match.ValueKind == JsonValueKind.String)
        {
            Must("match", match.GetString()!, true);
        }

        if (field.TryGetProperty("not_match", out JsonElement notMatch) && notMatch.ValueKind == JsonValueKind.String)
        {
            Must("not_match", notMatch.GetString()!, false);
        }

        foreach ((string key, bool expected) in (ReadOnlySpan<(string, bool)>)[("match_all", true), ("match_none", false)])
        {
            if (field.TryGetProperty(key, out JsonElement list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement entry in list.EnumerateArray())
                {
                    if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("pattern", out JsonElement p) && p.ValueKind == JsonValueKind.String)
                    {
                        Must(key, p.GetString()!, expected);
                    }
                }
            }
        }

        if (field.TryGetProperty("match_any", out JsonElement any) && any.ValueKind == JsonValueKind.Object
            && any.TryGetProperty("patterns", out JsonElement anyList) && anyList.ValueKind == JsonValueKind.Array)
        {
            List<bool?> results = anyList.EnumerateArray().Where(p => p.ValueKind == JsonValueKind.String)
                .Select(p => LuaPattern.IsMatch(text, p.GetString()!)).ToList();
            if (results.Count > 0 && results.All(r => r == false))
            {
                errors.Add($"{path}: {Show(value)} matches none of the match_any patterns");
            }
        }

        if (field.TryGetProperty("starts_with", out JsonElement prefix) && prefix.ValueKind == JsonValueKind.String
            && !Encoding.UTF8.GetBytes(text).AsSpan().StartsWith(Encoding.UTF8.GetBytes(prefix.GetString()!)))
        {
            errors.Add($"{path}: {Show(value)} does not start with {prefix.GetRawText()}");
        }
    }

    private static void RequireOnly(JsonElement field, string path, string type, string key, bool needed, List<string> errors)
    {
        bool present = field.TryGetProperty(key, out _);
        if (needed && !present)
        {
            errors.Add($"{path}: a {type} field needs '{key}'");
        }
        else if (!needed && present)
        {
            errors.Add($"{path}.{key}: a {type} field has no '{key}'");
        }
    }

    private static void CheckBoolean(JsonElement field, string path, string key, bool allowed, List<string> errors)
    {
        if (!field.TryGetProperty(key, out JsonElement value))
        {
            return;
        }

        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            errors.Add($"{path}.{key}: must be true or false, got {Show(value)}");
        }
        else if (!allowed)
        {
            errors.Add($"{path}.{key}: not allowed on a {field.GetProperty("type").GetString()} field");
        }
    }

    /// <summary>cjson turns JSON null into a sentinel that no schema attribute accepts (kong-protocol.md §2.4).</summary>
    private static void FindNulls(JsonElement element, string path, List<string> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Null:
                // eq/ne null is Kong's own idiom (typedefs.no_consumer: eq = ngx.null, which cjson gives for null).
                if (!path.EndsWith(".eq", StringComparison.Ordinal) && !path.EndsWith(".ne", StringComparison.Ordinal))
                {
                    errors.Add($"{path}: JSON null (omit the key instead)");
                }

                break;
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    FindNulls(property.Value, $"{path}.{property.Name}", errors);
                }

                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    FindNulls(item, $"{path}[{i++}]", errors);
                }

                break;
        }
    }

    private static bool IsInteger(JsonElement value, out long result)
    {
        result = 0;
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out result);
    }

    private static bool JsonEquals(JsonElement a, JsonElement b) =>
        a.ValueKind == JsonValueKind.Number && b.ValueKind == JsonValueKind.Number
            ? a.GetDouble() == b.GetDouble()
            : a.ValueKind == b.ValueKind && a.GetRawText() == b.GetRawText();

    private static string Kind(JsonElement element) => element.ValueKind.ToString().ToLowerInvariant();

    private static string Show(JsonElement element) =>
        element.ValueKind == JsonValueKind.Undefined ? "nothing" : element.GetRawText();

    [GeneratedRegex("^[a-z][a-z0-9_-]*$")]
    private static partial Regex PluginName();

    [GeneratedRegex(@"^\d+\.\d+\.\d+$")]
    private static partial Regex SemVer();

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex FieldName();
}
