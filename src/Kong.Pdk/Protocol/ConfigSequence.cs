using System.Text.Json;

namespace Kong.Pdk.Protocol;

/// <summary>Reads Kong's <c>__seq__</c> from the StartInstance config JSON (kong-protocol.md §4.3).</summary>
internal static class ConfigSequence
{
    /// <summary>The top-level <c>__seq__</c> integer, or 0 when absent or unreadable.</summary>
    public static long Read(ReadOnlySpan<byte> configJson)
    {
        try
        {
            var reader = new Utf8JsonReader(configJson, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return 0;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject) return 0;
                if (reader.TokenType != JsonTokenType.PropertyName) return 0;
                bool isSeq = reader.ValueTextEquals("__seq__"u8);
                if (!reader.Read()) return 0;
                if (isSeq)
                {
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long seq)) return seq;
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out double d) && d == Math.Floor(d) && d is >= 0 and <= int.MaxValue) return (long)d;
                    return 0;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // The descriptor's binder reports bad JSON; an unreadable __seq__ means "choose an id".
        }

        return 0;
    }
}
