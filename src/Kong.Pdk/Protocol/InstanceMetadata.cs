using System.Text.Json;

namespace Kong.Pdk.Protocol;

/// <summary>Reads the keys Kong adds to a configuration (<c>__plugin_id</c>, <c>__key__</c>, <c>__seq__</c>,
/// <c>__ws_id</c>) at its top level; every other key is skipped unread, so no configuration value is kept.</summary>
internal static class InstanceMetadata
{
    public static KongInstanceInfo Read(ReadOnlySpan<byte> configJson, string pluginName, int instanceId)
    {
        string? pluginId = null, key = null, workspace = null;
        long sequence = ConfigSequence.Read(configJson);
        try
        {
            var reader = new Utf8JsonReader(configJson, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    int which = reader.ValueTextEquals("__plugin_id"u8) ? 1 : reader.ValueTextEquals("__key__"u8) ? 2 : reader.ValueTextEquals("__ws_id"u8) ? 3 : 0;
                    if (!reader.Read()) break;
                    if (which == 0 || reader.TokenType != JsonTokenType.String)
                    {
                        reader.Skip();
                        continue;
                    }

                    string value = reader.GetString()!;
                    if (which == 1) pluginId = value;
                    else if (which == 2) key = value;
                    else workspace = value;
                }
            }
        }
        catch (JsonException)
        {
            // The descriptor's binder reports bad JSON; what was read so far stands.
        }

        return new KongInstanceInfo(pluginName, instanceId, pluginId, key, sequence, workspace);
    }
}
