using System;
using System.Collections.Generic;
using System.Linq;
using Kong.Pdk.Generators.Helpers;
using Kong.Pdk.Generators.Model;

namespace Kong.Pdk.Generators.Analysis;

/// <summary>
/// Kong's metaschema vocabulary (<c>kong/db/schema/metaschema.lua</c>) for JSON an author writes by hand: the
/// conditions of <c>[KongConditional]</c> and <c>[KongConditionalAtLeastOneOf]</c> (Kong's <c>conditional_validators</c>:
/// <c>required</c>, <c>elements</c>, <c>keys</c>, <c>values</c> and the field validators). Each key's value must have the
/// shape the metaschema gives it and fit the type of the field it applies to (the attribute types of the metaschema),
/// values of <c>eq</c>, <c>one_of</c>, ... must be values of the field, and patterns must be Lua patterns.
/// </summary>
internal static class MetaschemaRules
{
    /// <summary>The field validators of the metaschema (<c>validators</c>), in its order.</summary>
    public static readonly string[] Validators =
    {
        "between", "eq", "ne", "gt", "len_eq", "len_min", "len_max", "match", "not_match", "match_all", "match_none", "match_any",
        "starts_with", "one_of", "not_one_of", "contains", "is_regex", "timestamp", "uuid", "custom_validator", "mutually_exclusive_subsets",
    };

    /// <summary>Why <paramref name="match"/> is not a condition Kong can apply to a field of <paramref name="type"/>, or
    /// <see langword="null"/>.</summary>
    public static string? CheckCondition(JsonTree match, ConfigTypeSpec type)
    {
        if (match.Kind != JsonTreeKind.Object)
        {
            return "a condition is a JSON object of validators, such as {\"eq\": true} or {\"one_of\": [\"redis\"]}";
        }

        foreach (KeyValuePair<string, JsonTree> entry in match.Entries)
        {
            string? problem = entry.Key switch
            {
                "required" => entry.Value.Kind == JsonTreeKind.Boolean ? null : "'required' must be true or false",
                "elements" => type.Kind is ConfigKind.Array or ConfigKind.Set ? CheckCondition(entry.Value, type.Element!) : NotOn("elements", type),
                "values" => type.Kind == ConfigKind.Map ? CheckCondition(entry.Value, type.Element!) : NotOn("values", type),
                "keys" => type.Kind == ConfigKind.Map ? CheckCondition(entry.Value, StringType) : NotOn("keys", type),
                _ => Array.IndexOf(Validators, entry.Key) >= 0 ? CheckValidator(entry.Key, entry.Value, type)
                    : "'" + entry.Key + "' is not a validator Kong applies in a condition (required, elements, keys, values, "
                      + string.Join(", ", Validators.Where(static v => v != "custom_validator")) + ")",
            };
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    /// <summary>Why the validator <paramref name="key"/> with <paramref name="value"/> does not fit a field of
    /// <paramref name="type"/>, or <see langword="null"/>.</summary>
    public static string? CheckValidator(string key, JsonTree value, ConfigTypeSpec type)
    {
        bool text = type.Kind is ConfigKind.String or ConfigKind.Uri or ConfigKind.Guid or ConfigKind.Enum;
        bool numeric = type.Kind is ConfigKind.Integer or ConfigKind.Number;
        bool collection = type.Kind is ConfigKind.Array or ConfigKind.Set;
        switch (key)
        {
            case "between":
                if (!numeric)
                {
                    return NotOn(key, type);
                }

                if (value.Kind != JsonTreeKind.Array || value.Items.Count != 2 || value.Items.Any(i => FitsType(i, type) is not null))
                {
                    return "'between' must be [min, max] of " + type.Kind.KongTypeName() + "s";
                }

                return value.Items[0].Number > value.Items[1].Number ? "'between' has min greater than max" : null;
            case "eq":
            case "ne":
                // null is Kong's ngx.null: {"eq": null} holds only for an absent (null) value.
                return value.Kind == JsonTreeKind.Null ? null : Value(key, value, type);
            case "gt":
                return !numeric ? NotOn(key, type) : value.Kind != JsonTreeKind.Number ? "'gt' must be a number" : null;
            case "len_eq":
            case "len_min":
            case "len_max":
                return !(text || collection || type.Kind == ConfigKind.Map) ? NotOn(key, type)
                    : !value.IsInteger || value.Number < 0 ? "'" + key + "' must be an integer of 0 or more" : null;
            case "match":
            case "not_match":
                return !text ? NotOn(key, type) : Pattern(key, value);
            case "starts_with":
                return !text ? NotOn(key, type) : value.Kind != JsonTreeKind.String ? "'starts_with' must be a string" : null;
            case "match_all":
            case "match_none":
                if (!text)
                {
                    return NotOn(key, type);
                }

                if (value.Kind != JsonTreeKind.Array || value.Items.Count == 0)
                {
                    return "'" + key + "' must be a non-empty array of {\"pattern\": ..., \"err\": ...}";
                }

                foreach (JsonTree entry in value.Items)
                {
                    string? problem = entry.Kind != JsonTreeKind.Object || entry.Get("pattern") is not { } pattern
                        || entry.Entries.Any(static e => e.Key is not ("pattern" or "err"))
                        || entry.Get("err") is { Kind: not JsonTreeKind.String }
                        ? "each entry of '" + key + "' must be {\"pattern\": string, \"err\": string}"
                        : Pattern(key, pattern);
                    if (problem is not null)
                    {
                        return problem;
                    }
                }

                return null;
            case "match_any":
                if (!text)
                {
                    return NotOn(key, type);
                }

                if (value.Kind != JsonTreeKind.Object || value.Get("patterns") is not { Kind: JsonTreeKind.Array, Items.Count: > 0 } patterns
                    || value.Entries.Any(static e => e.Key is not ("patterns" or "err")) || value.Get("err") is { Kind: not JsonTreeKind.String })
                {
                    return "'match_any' must be {\"patterns\": [string, ...], \"err\": string}";
                }

                return patterns.Items.Select(p => Pattern(key, p)).FirstOrDefault(static p => p is not null);
            case "one_of":
            case "not_one_of":
                if (!(text || numeric))
                {
                    return NotOn(key, type);
                }

                if (value.Kind != JsonTreeKind.Array || value.Items.Count == 0)
                {
                    return "'" + key + "' must be a non-empty array";
                }

                return value.Items.Select(i => Value(key, i, type)).FirstOrDefault(static p => p is not null);
            case "contains":
                return !collection ? NotOn(key, type) : Value(key, value, type.Element!);
            case "is_regex":
            case "uuid":
                return !text ? NotOn(key, type) : value.Kind != JsonTreeKind.Boolean ? "'" + key + "' must be true or false" : null;
            case "timestamp":
                return !numeric ? NotOn(key, type) : value.Kind != JsonTreeKind.Boolean ? "'timestamp' must be true or false" : null;
            case "mutually_exclusive_subsets":
                if (!collection)
                {
                    return NotOn(key, type);
                }

                if (value.Kind != JsonTreeKind.Array || value.Items.Any(static s => s.Kind != JsonTreeKind.Array))
                {
                    return "'mutually_exclusive_subsets' must be an array of arrays of values";
                }

                return value.Items.SelectMany(static s => s.Items).Select(i => Value(key, i, type.Element!)).FirstOrDefault(static p => p is not null);
            case "custom_validator":
                return "'custom_validator' is a Lua function, which cannot travel in JSON";
            default:
                return "'" + key + "' is not a Kong validator";
        }
    }

    /// <summary>Why <paramref name="value"/> is not a value of a field of <paramref name="type"/>, or <see langword="null"/>.</summary>
    public static string? FitsType(JsonTree value, ConfigTypeSpec type)
    {
        bool ok = type.Kind switch
        {
            ConfigKind.String or ConfigKind.Uri => value.Kind == JsonTreeKind.String,
            ConfigKind.Guid => value.Kind == JsonTreeKind.String && Guid.TryParse(value.Text, out _),
            ConfigKind.Enum => value.Kind == JsonTreeKind.String && type.EnumMembers.Any(m => m.WireName == value.Text),
            ConfigKind.Boolean => value.Kind == JsonTreeKind.Boolean,
            ConfigKind.Integer => value.IsInteger,
            ConfigKind.Number => value.Kind == JsonTreeKind.Number,
            ConfigKind.Array or ConfigKind.Set => value.Kind == JsonTreeKind.Array && value.Items.All(i => FitsType(i, type.Element!) is null),
            ConfigKind.Map => value.Kind == JsonTreeKind.Object && value.Entries.All(e => FitsType(e.Value, type.Element!) is null),
            _ => value.Kind == JsonTreeKind.Object,
        };
        if (ok)
        {
            return null;
        }

        return type.Kind == ConfigKind.Enum
            ? value.Write() + " is not one of " + string.Join(", ", type.EnumMembers.Select(static m => "\"" + m.WireName + "\""))
            : value.Write() + " is not a value of a " + type.Kind.KongTypeName() + " field";
    }

    /// <summary>Why the default <paramref name="value"/> breaks the validator <paramref name="key"/> with argument
    /// <paramref name="rule"/> (Kong validates every default against its field), or <see langword="null"/>. Validators
    /// whose outcome cannot be computed here (none so far besides Lua-only ones) pass.</summary>
    public static string? DefaultBreaks(string key, JsonTree rule, JsonTree value)
    {
        bool Fails(string pattern) => value.Kind == JsonTreeKind.String && LuaPattern.IsMatch(value.Text, pattern) == false;
        bool Matches(string pattern) => value.Kind == JsonTreeKind.String && LuaPattern.IsMatch(value.Text, pattern) == true;
        int Length() => value.Kind switch
        {
            JsonTreeKind.String => System.Text.Encoding.UTF8.GetByteCount(value.Text),
            JsonTreeKind.Array => value.Items.Count,
            JsonTreeKind.Object => value.Entries.Count,
            _ => -1,
        };

        bool broken = key switch
        {
            "between" => value.Kind == JsonTreeKind.Number && (value.Number < rule.Items[0].Number || value.Number > rule.Items[1].Number),
            "gt" => value.Kind == JsonTreeKind.Number && !(value.Number > rule.Number),
            "eq" => !Same(value, rule),
            "ne" => Same(value, rule),
            "one_of" => !rule.Items.Any(i => Same(i, value)),
            "not_one_of" => rule.Items.Any(i => Same(i, value)),
            "len_eq" => Length() >= 0 && Length() != (int)rule.Number,
            "len_min" => Length() >= 0 && Length() < rule.Number,
            "len_max" => Length() >= 0 && Length() > rule.Number,
            "match" => Fails(rule.Text),
            "not_match" => Matches(rule.Text),
            "match_all" => rule.Items.Any(e => Fails(e.Get("pattern")!.Text)),
            "match_none" => rule.Items.Any(e => Matches(e.Get("pattern")!.Text)),
            "match_any" => value.Kind == JsonTreeKind.String && rule.Get("patterns")!.Items.All(p => LuaPattern.IsMatch(value.Text, p.Text) == false),
            "starts_with" => value.Kind == JsonTreeKind.String && !value.Text.StartsWith(rule.Text, StringComparison.Ordinal),
            "contains" => value.Kind == JsonTreeKind.Array && !value.Items.Any(i => Same(i, rule)),
            "uuid" => rule.Text == "true" && value.Kind == JsonTreeKind.String && !Guid.TryParse(value.Text, out _),
            "timestamp" => rule.Text == "true" && value.Kind == JsonTreeKind.Number && !(value.Number > 0),
            "is_regex" => rule.Text == "true" && value.Kind == JsonTreeKind.String && PcreProxy.Check(value.Text) is not null,
            "mutually_exclusive_subsets" => value.Kind == JsonTreeKind.Array
                && rule.Items.Count(subset => subset.Items.Any(member => value.Items.Any(i => Same(i, member)))) > 1,
            _ => false,
        };
        return broken ? "the default " + value.Write() + " breaks '" + key + "': " + rule.Write() : null;
    }

    /// <summary>JSON equality as Lua sees it after cjson: numbers by value, everything else by its text.</summary>
    private static bool Same(JsonTree a, JsonTree b)
        => a.Kind == JsonTreeKind.Number && b.Kind == JsonTreeKind.Number ? a.Number == b.Number : a.Kind == b.Kind && a.Write() == b.Write();

    private static readonly ConfigTypeSpec StringType = new(ConfigKind.String, "global::System.String", false, ClrNumeric.None,
        CollectionShape.None, null, EquatableArray<EnumMemberSpec>.Empty, null);

    private static string? Value(string key, JsonTree value, ConfigTypeSpec type)
        => FitsType(value, type) is { } problem ? "'" + key + "': " + problem : null;

    private static string? Pattern(string key, JsonTree value)
        => value.Kind != JsonTreeKind.String ? "'" + key + "' patterns must be strings"
            : LuaPattern.Check(value.Text) is { } error ? "'" + value.Text + "' in '" + key + "' is not a valid Lua pattern: " + error
            : null;

    private static string NotOn(string key, ConfigTypeSpec type) => "'" + key + "' does not apply to a " + type.Kind.KongTypeName() + " field";
}
