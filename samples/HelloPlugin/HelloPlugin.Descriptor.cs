using System.Text.Json;
using Kong.Pdk;
using Kong.Pdk.Hosting;

namespace HelloPlugin;

// Hand-written descriptor, standing in until the source generator writes it.
public sealed partial class HelloPlugin : IKongPluginInstance
{
    public static KongPluginDescriptor Descriptor { get; } = new HelloDescriptor();

    ValueTask IKongPluginInstance.InvokeAsync(KongPhase phase, IKong kong, CancellationToken cancellationToken)
        => phase == KongPhase.Access ? Access(kong, cancellationToken) : ValueTask.CompletedTask;

    private sealed class HelloDescriptor : KongPluginDescriptor
    {
        public override string Name => "hello-dotnet";
        public override string Version => "0.1.0";
        public override int Priority => 1000;
        public override IReadOnlyList<KongPhase> Phases { get; } = [KongPhase.Access];
        public override string SchemaJson =>
            """{"name":"hello-dotnet","fields":[{"config":{"type":"record","fields":[{"message":{"type":"string","required":true,"default":"hello"}}]}}]}""";

        public override IKongPluginInstance CreateInstance(ReadOnlySpan<byte> configJson)
        {
            var plugin = new HelloPlugin();
            var reader = new Utf8JsonReader(configJson);
            try
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new KongConfigException("the config is not a JSON object");
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    bool isMessage = reader.ValueTextEquals("message"u8);
                    reader.Read();
                    if (isMessage && reader.TokenType == JsonTokenType.String) plugin.Message = reader.GetString()!;
                    else if (isMessage && reader.TokenType != JsonTokenType.Null) throw new KongConfigException("message", "expected a string");
                    else reader.Skip();
                }
            }
            catch (JsonException ex)
            {
                throw new KongConfigException("the config is not valid JSON: " + ex.Message, ex);
            }

            return plugin;
        }
    }
}
