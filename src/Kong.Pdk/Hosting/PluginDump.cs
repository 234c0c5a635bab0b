using System.Buffers;
using System.Text.Json;

namespace Kong.Pdk.Hosting;

/// <summary>Writes the <c>-dump</c> document Kong's <c>query_cmd</c> reads (kong-protocol.md §2).</summary>
public static class PluginDump
{
    /// <summary>
    /// <c>{"Protocol":"MsgPack:1","Plugins":[{"Name","Version","Priority","Phases","Schema"}, ...]}</c> as UTF-8 JSON on
    /// one line. Kong 3.9+ registers only the first plugin of a dump: pass one plugin per server there.
    /// </summary>
    public static byte[] Write(IEnumerable<KongPluginDescriptor> plugins)
    {
        ArgumentNullException.ThrowIfNull(plugins);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, SkipValidation = false }))
        {
            json.WriteStartObject();
            json.WriteString("Protocol"u8, "MsgPack:1"u8);
            json.WriteStartArray("Plugins"u8);
            foreach (KongPluginDescriptor plugin in plugins)
            {
                json.WriteStartObject();
                json.WriteString("Name"u8, plugin.Name);
                json.WriteString("Version"u8, plugin.Version);
                json.WriteNumber("Priority"u8, plugin.Priority);
                json.WriteStartArray("Phases"u8);
                foreach (KongPhase phase in plugin.Phases) json.WriteStringValue(phase.ToWireName());
                json.WriteEndArray();
                json.WritePropertyName("Schema"u8);
                json.WriteRawValue(plugin.SchemaJson, skipInputValidation: false);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }
}
