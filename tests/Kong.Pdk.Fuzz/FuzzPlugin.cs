using Kong.Pdk.Hosting;

namespace Kong.Pdk.Fuzz;

/// <summary>A plugin whose handlers do something different depending on the first PDK answer they get: more calls,
/// an exit, an exception, a hang past the deadline, or nothing. Kong's (fuzzed) answers steer it.</summary>
public sealed class FuzzPlugin : KongPluginDescriptor
{
    public override string Name => "fuzz";

    public override string Version => "1.0.0";

    public override int Priority => 1;

    public override IReadOnlyList<KongPhase> Phases { get; } =
        [KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log];

    public override string SchemaJson => """{"name":"fuzz","fields":[{"config":{"type":"record","fields":[]}}]}""";

    public override IKongPluginInstance CreateInstance(ReadOnlySpan<byte> configJson)
    {
        if (configJson.Length == 0 || configJson[0] != (byte)'{') throw new KongConfigException("the config is not a JSON object");
        if (configJson.IndexOf("\"throw\""u8) >= 0) throw new InvalidOperationException("constructor failure requested");
        return new Instance();
    }

    private sealed class Instance : IKongPluginInstance
    {
        public async ValueTask InvokeAsync(KongPhase phase, IKong kong, CancellationToken cancellationToken)
        {
            string? mode = await kong.Request.GetHeaderAsync("mode", cancellationToken);
            switch (mode)
            {
                case "exit":
                    await kong.Response.ExitAsync(403, "no", cancellationToken: cancellationToken);
                    break;
                case "throw":
                    throw new InvalidOperationException("handler failure requested");
                case "hang":
                    await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
                    break;
                case "headers":
                    KongMultiMap headers = await kong.Request.GetHeadersAsync(cancellationToken);
                    await kong.Log.InfoAsync("headers: " + headers.Count, cancellationToken);
                    break;
                case null:
                    break;
                default:
                    await kong.Response.SetHeaderAsync("x-mode", mode, cancellationToken);
                    await kong.Log.NoticeAsync(mode, cancellationToken);
                    break;
            }
        }
    }
}
