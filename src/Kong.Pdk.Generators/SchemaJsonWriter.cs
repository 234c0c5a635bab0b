using System.Text;
using Kong.Pdk.Generators.Helpers;
using Kong.Pdk.Generators.Model;

namespace Kong.Pdk.Generators;

/// <summary>
/// Writes the Kong plugin schema (kong-protocol.md §2.4–§2.6) as compact JSON. Hand-written and deterministic:
/// fields in declaration order, keys in a fixed order, numbers in the invariant culture. JSON <c>null</c> only as Kong's
/// own idiom <c>"eq": null</c> (cjson decodes it to <c>ngx.null</c>, as in <c>typedefs.no_consumer</c>); anywhere else
/// Kong's metaschema would reject it.
/// </summary>
internal static class SchemaJsonWriter
{
    public static string Write(PluginSpec plugin)
    {
        var json = new StringBuilder();
        json.Append("{\"name\":").Append(JsonText.String(plugin.PluginName));
        json.Append(",\"fields\":[");
        foreach (string restriction in plugin.RestrictionsJson)
        {
            json.Append(restriction).Append(',');
        }

        if (plugin.ProtocolsJson is not null)
        {
            json.Append("{\"protocols\":").Append(plugin.ProtocolsJson).Append("},");
        }

        json.Append("{\"config\":{\"type\":\"record\",\"fields\":");
        WriteFields(json, plugin.Config);
        json.Append("}}]");
        if (!plugin.EntityChecksJson.IsEmpty)
        {
            json.Append(",\"entity_checks\":[").Append(string.Join(",", plugin.EntityChecksJson)).Append(']');
        }

        json.Append('}');
        return json.ToString();
    }

    private static void WriteFields(StringBuilder json, RecordSpec record)
    {
        json.Append('[');
        for (int i = 0; i < record.Fields.Count; i++)
        {
            ConfigFieldSpec field = record.Fields[i];
            if (i > 0)
            {
                json.Append(',');
            }

            json.Append('{').Append(JsonText.String(field.WireName)).Append(':');
            WriteType(json, field.Type, field);
            json.Append('}');
        }

        json.Append(']');
    }

    /// <summary>The JSON object of one field's definition (without its name).</summary>
    public static string FieldJson(ConfigFieldSpec field)
    {
        var json = new StringBuilder();
        WriteType(json, field.Type, field);
        return json.ToString();
    }

    /// <summary>Writes one type table. <paramref name="field"/> is the field for a field, null for array elements and
    /// map keys and values, which take their validators from <paramref name="rules"/> (<c>Target = KongTarget.Elements</c>,
    /// <c>Keys</c>, <c>Values</c>) when there are any.</summary>
    private static void WriteType(StringBuilder json, ConfigTypeSpec type, ConfigFieldSpec? field, bool referenceableElements = false,
        bool mayBeEmpty = false, ConfigFieldSpec? rules = null)
    {
        json.Append("{\"type\":").Append(JsonText.String(type.Kind.KongTypeName()));
        if (field is { Required: true })
        {
            json.Append(",\"required\":true");
        }
        else if (field is not null && (type.Kind == ConfigKind.Record || field.ExplicitlyOptional))
        {
            // Kong makes a record without 'required' required (make_records_required): an optional record must say so.
            json.Append(",\"required\":false");
        }

        if (field?.DefaultJson is { } defaultJson)
        {
            json.Append(",\"default\":").Append(defaultJson);
        }

        bool referenceable = field is null ? referenceableElements : field.Referenceable;
        switch (type.Kind)
        {
            case ConfigKind.Array:
            case ConfigKind.Set:
                json.Append(",\"elements\":");
                WriteType(json, type.Element!, null, referenceable, field?.ElementsMayBeEmpty == true, field?.ElementRules);
                referenceable = false; // on the elements, as Kong's own plugins do
                break;
            case ConfigKind.Map:
                json.Append(",\"keys\":");
                WriteType(json, MapKey, null, mayBeEmpty: field?.KeysMayBeEmpty == true, rules: field?.KeyRules);
                json.Append(",\"values\":");
                WriteType(json, type.Element!, null, mayBeEmpty: field?.ElementsMayBeEmpty == true, rules: field?.ElementRules);
                break;
            case ConfigKind.Record:
                json.Append(",\"fields\":");
                WriteFields(json, type.Record!);
                break;
            case ConfigKind.Enum:
                json.Append(",\"one_of\":[");
                for (int i = 0; i < type.EnumMembers.Count; i++)
                {
                    json.Append(i > 0 ? "," : string.Empty).Append(JsonText.String(type.EnumMembers[i].WireName));
                }

                json.Append(']');
                break;
            case ConfigKind.Guid:
                json.Append(",\"uuid\":true");
                break;
        }

        ConfigFieldSpec? constraints = field ?? rules;
        if (constraints is null)
        {
            if (mayBeEmpty)
            {
                json.Append(",\"len_min\":0");
            }

            if (type.Kind == ConfigKind.Integer)
            {
                (long min, long max) = Analysis.ConfigModelBuilder.IntegerRange(type.Numeric);
                json.Append(",\"between\":[").Append(JsonText.Integer(min)).Append(',').Append(JsonText.Integer(max)).Append(']');
            }
        }
        else
        {
            if (!constraints.OneOfJson.IsEmpty)
            {
                json.Append(",\"one_of\":[").Append(string.Join(",", constraints.OneOfJson)).Append(']');
            }

            if (constraints.BetweenMinJson is not null)
            {
                json.Append(",\"between\":[").Append(constraints.BetweenMinJson).Append(',').Append(constraints.BetweenMaxJson).Append(']');
            }

            if (constraints.GreaterThanJson is not null)
            {
                json.Append(",\"gt\":").Append(constraints.GreaterThanJson);
            }

            if (constraints.LengthMin >= 0)
            {
                json.Append(",\"len_min\":").Append(JsonText.Integer(constraints.LengthMin));
            }
            else if (mayBeEmpty)
            {
                json.Append(",\"len_min\":0");
            }

            if (constraints.LengthMax >= 0)
            {
                json.Append(",\"len_max\":").Append(JsonText.Integer(constraints.LengthMax));
            }

            if (constraints.LuaPattern is not null)
            {
                json.Append(",\"match\":").Append(JsonText.String(constraints.LuaPattern));
            }

            foreach (string validator in constraints.Validators)
            {
                json.Append(',').Append(validator);
            }
        }

        if (referenceable)
        {
            json.Append(",\"referenceable\":true");
        }

        if (field is { Encrypted: true })
        {
            json.Append(",\"encrypted\":true");
        }

        if (field?.Description is { } description)
        {
            json.Append(",\"description\":").Append(JsonText.String(description));
        }

        json.Append('}');
    }

    private static readonly ConfigTypeSpec MapKey = new(ConfigKind.String, "global::System.String", false, ClrNumeric.None,
        CollectionShape.None, null, EquatableArray<EnumMemberSpec>.Empty, null);
}
