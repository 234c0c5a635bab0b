using System;
using System.Collections.Generic;
using System.Linq;
using Kong.Pdk.Generators.Diagnostics;
using Kong.Pdk.Generators.Helpers;
using Kong.Pdk.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Kong.Pdk.Generators.Analysis;

/// <summary>
/// <c>[KongSchemaJson]</c>: raw metaschema JSON merged into a field's definition, for what no attribute says. Checked
/// against Kong's metaschema (<c>kong/db/schema/metaschema.lua</c>): a JSON object (KONG0112) whose keys are field
/// attributes or validators that apply to the field's type, with values of the shape the metaschema gives them
/// (KONG0113), and none of the keys the generator writes for the field (KONG0114).
/// </summary>
internal sealed partial class ConfigModelBuilder
{
    /// <summary>Keys the generator owns: they come from the C# declaration, whatever the field holds today.</summary>
    private static readonly Dictionary<string, string> GeneratorKeys = new(StringComparer.Ordinal)
    {
        ["type"] = "from the property's C# type",
        ["required"] = "from nullability, [KongRequired] and [KongOptional]",
        ["default"] = "from the initializer or [KongDefault], checked against the field",
        ["fields"] = "from the record's properties",
        ["elements"] = "from the element type",
        ["keys"] = "from the map's key type",
        ["values"] = "from the map's value type",
    };

    /// <summary>Metaschema field attributes that are not validators, with the Kong types they apply to (null: any).</summary>
    private static readonly Dictionary<string, string[]?> BooleanAttributes = new(StringComparer.Ordinal)
    {
        ["immutable"] = null,
        ["auto"] = null,
        ["generate_admin_api"] = null,
        ["encrypted"] = new[] { "string" },
        ["referenceable"] = new[] { "string" },
        ["unique"] = new[] { "string", "number", "integer" },
        ["unique_across_ws"] = new[] { "string", "number", "integer" },
        ["transient"] = new[] { "string", "number", "integer", "array", "set", "boolean" },
    };

    /// <summary>Metaschema keys that cannot be written for a configuration field, and why.</summary>
    private static readonly Dictionary<string, string> Refused = new(StringComparer.Ordinal)
    {
        ["custom_validator"] = "a Lua function, which cannot travel in JSON (see 'Lua-only constructs' in docs/configuration-schema.md)",
        ["shorthand_fields"] = "Lua functions, which cannot travel in JSON",
        ["abstract"] = "an abstract field rejects every value; Kong uses it for subschema entities only",
        ["reference"] = "it applies to foreign fields, which a plugin's config does not have",
        ["on_delete"] = "it applies to foreign fields, which a plugin's config does not have",
        ["json_schema"] = "it applies to json fields, which the generator does not write",
        ["entity_checks"] = "use the entity-check attributes on the plugin class, with dotted paths into the record",
    };

    private ConfigFieldSpec ApplySchemaJson(IPropertySymbol property, ConfigFieldSpec field)
    {
        AttributeData? attribute = property.GetAttributes().FirstOrDefault(static a
            => a.AttributeClass is { Name: "KongSchemaJsonAttribute" } c && c.ContainingNamespace?.ToDisplayString() == "Kong.Pdk");
        if (attribute is null)
        {
            return field;
        }

        Location? where = Where(attribute, property);
        string text = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string ?? string.Empty : string.Empty;
        JsonTree? tree = JsonTree.Parse(text, out string? error);
        if (tree is null || tree.Kind != JsonTreeKind.Object || tree.Entries.Count == 0)
        {
            Problems.Add(new ConfigProblem(Descriptors.SchemaJsonNotAnObject, where, property.Name,
                tree is null ? error : tree.Kind == JsonTreeKind.Object ? "the object is empty" : "it is a JSON " + tree.Kind.ToString().ToLowerInvariant()));
            return field;
        }

        JsonTree generated = JsonTree.Parse(SchemaJsonWriter.FieldJson(field), out _)!;
        var fragments = new List<string>();
        bool ok = true;
        foreach (KeyValuePair<string, JsonTree> entry in tree.Entries)
        {
            if (GeneratorKeys.TryGetValue(entry.Key, out string? source) || generated.Get(entry.Key) is not null)
            {
                Problems.Add(new ConfigProblem(Descriptors.SchemaJsonRepeatsGeneratedKey, where, property.Name, entry.Key,
                    source ?? "from an attribute or the property's type (remove one of the two)"));
                ok = false;
                continue;
            }

            string? problem = CheckFieldAttribute(entry.Key, entry.Value, field.Type, tree);
            if (problem is not null)
            {
                Problems.Add(new ConfigProblem(Descriptors.SchemaJsonNotInMetaschema, where, property.Name, problem));
                ok = false;
                continue;
            }

            if (field.DefaultJson is not null && Array.IndexOf(MetaschemaRules.Validators, entry.Key) >= 0
                && MetaschemaRules.DefaultBreaks(entry.Key, entry.Value, JsonTree.Parse(field.DefaultJson, out _)!) is { } broken)
            {
                Problems.Add(new ConfigProblem(Descriptors.SchemaJsonNotInMetaschema, where, property.Name, broken));
                ok = false;
                continue;
            }

            fragments.Add(JsonText.String(entry.Key) + ":" + entry.Value.Write());
        }

        return ok ? field with { Validators = field.Validators.Concat(fragments).ToEquatableArray() } : field;
    }

    /// <summary>Why <paramref name="key"/> with <paramref name="value"/> is not a field attribute Kong's metaschema
    /// accepts on a field of <paramref name="type"/>, or <see langword="null"/>.</summary>
    private static string? CheckFieldAttribute(string key, JsonTree value, ConfigTypeSpec type, JsonTree all)
    {
        string kongType = type.Kind.KongTypeName();
        if (Refused.TryGetValue(key, out string? why))
        {
            return "'" + key + "' cannot be used: " + why;
        }

        if (BooleanAttributes.TryGetValue(key, out string[]? types))
        {
            if (value.Kind != JsonTreeKind.Boolean)
            {
                return "'" + key + "' must be true or false";
            }

            if (types is not null && Array.IndexOf(types, kongType) < 0)
            {
                return "'" + key + "' does not apply to a " + kongType + " field (only " + string.Join(", ", types) + ")";
            }

            // The metaschema's field check: unique_across_ws needs unique = true.
            return key == "unique_across_ws" && value.Text == "true" && all.Get("unique") is not { Text: "true" }
                ? "'unique_across_ws' needs \"unique\": true" : null;
        }

        switch (key)
        {
            case "description":
                int length = value.Kind == JsonTreeKind.String ? CountRunes(value.Text) : -1;
                return length is >= 10 and <= 500 ? null : "'description' must be a string of 10 to 500 characters";
            case "err":
                return value.Kind == JsonTreeKind.String && value.Text.Length > 0 ? null : "'err' must be a non-empty string";
            case "examples":
                return value.Kind == JsonTreeKind.Array && value.Items.Count > 0 && value.Items.All(static i => i.Kind != JsonTreeKind.Null)
                    ? null : "'examples' must be a non-empty array of values (no null)";
            case "deprecation":
                return CheckDeprecation(value);
        }

        if (Array.IndexOf(MetaschemaRules.Validators, key) >= 0)
        {
            return key is "eq" or "ne" && value.Kind == JsonTreeKind.Null
                ? "'" + key + "': null would reject every value of a configuration field"
                : MetaschemaRules.CheckValidator(key, value, type);
        }

        return "'" + key + "' is not a field attribute or validator of Kong's metaschema";
    }

    private static string? CheckDeprecation(JsonTree value)
    {
        if (value.Kind != JsonTreeKind.Object || value.Get("message") is not { Kind: JsonTreeKind.String }
            || value.Get("removal_in_version") is not { Kind: JsonTreeKind.String }
            || value.Entries.Any(static e => e.Key is not ("message" or "removal_in_version" or "old_default" or "replaced_with")))
        {
            return "'deprecation' must be {\"message\": string, \"removal_in_version\": string, \"old_default\": value, \"replaced_with\": [{\"path\": [string, ...]}]}";
        }

        if (value.Get("replaced_with") is { } replaced
            && (replaced.Kind != JsonTreeKind.Array || replaced.Items.Any(static r => r.Kind != JsonTreeKind.Object
                || r.Entries.Any(static e => e.Key != "path")
                || r.Get("path") is not { Kind: JsonTreeKind.Array, Items.Count: > 0 } path || path.Items.Any(static p => p.Kind != JsonTreeKind.String))))
        {
            return "'deprecation.replaced_with' must be an array of {\"path\": [string, ...]} (reverse_mapping_function is a Lua function)";
        }

        return null;
    }

    private static int CountRunes(string text)
    {
        int count = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (!char.IsHighSurrogate(text[i]))
            {
                count++;
            }
        }

        return count;
    }
}
