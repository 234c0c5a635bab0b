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

    /// <summary>Writes one type table; <paramref name="field"/> is null for array elements and map values.</summary>
    private static void WriteType(StringBuilder json, ConfigTypeSpec type, ConfigFieldSpec? field, bool referenceableElements = false,
        bool mayBeEmpty = false)
    {
        json.Append("{\"type\":").Append(JsonText.String(KongType(type.Kind)));
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
                WriteType(json, type.Element!, null, referenceable, field?.ElementsMayBeEmpty == true);
                referenceable = false; // on the elements, as Kong's own plugins do
                break;
            case ConfigKind.Map:
                json.Append(",\"keys\":{\"type\":\"string\"},\"values\":");
                WriteType(json, type.Element!, null);
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

        if (field is null)
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
            if (!field.OneOfJson.IsEmpty)
            {
                json.Append(",\"one_of\":[").Append(string.Join(",", field.OneOfJson)).Append(']');
            }

            if (field.BetweenMinJson is not null)
            {
                json.Append(",\"between\":[").Append(field.BetweenMinJson).Append(',').Append(field.BetweenMaxJson).Append(']');
            }

            if (field.GreaterThanJson is not null)
            {
                json.Append(",\"gt\":").Append(field.GreaterThanJson);
            }

            if (field.LengthMin >= 0)
            {
                json.Append(",\"len_min\":").Append(JsonText.Integer(field.LengthMin));
            }

            if (field.LengthMax >= 0)
            {
                json.Append(",\"len_max\":").Append(JsonText.Integer(field.LengthMax));
            }

            if (field.LuaPattern is not null)
            {
                json.Append(",\"match\":").Append(JsonText.String(field.LuaPattern));
            }

            foreach (string validator in field.Validators)
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

    private static string KongType(ConfigKind kind) => kind switch
    {
        ConfigKind.Boolean => "boolean",
        ConfigKind.Integer => "integer",
        ConfigKind.Number => "number",
        ConfigKind.Array => "array",
        ConfigKind.Set => "set",
        ConfigKind.Map => "map",
        ConfigKind.Record => "record",
        _ => "string",
    };
}
