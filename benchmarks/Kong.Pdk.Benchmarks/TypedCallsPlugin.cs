using Kong.Pdk.Hosting;

namespace Kong.Pdk.Benchmarks;

/// <summary>A plugin whose PDK calls answer every result kind but strings: a bool, an int, a double, a
/// <see cref="KongValue"/>, a header map and an entity, then one set_header. The in-process client answers them
/// with no Data (nil), so the values handed to user code are the empty ones (false, 0, Nil, an empty map, null) and
/// what an event allocates is the server's own cost plus the empty header map. <c>--typed</c> of --gc and --alloc-types.</summary>
public sealed class TypedCallsPlugin : IKongPluginInstance
{
    public static KongPluginDescriptor Descriptor { get; } = new TypedDescriptor();

    public async ValueTask InvokeAsync(KongPhase phase, IKong kong, CancellationToken cancellationToken)
    {
        bool trusted = await kong.Ip.IsTrustedAsync("10.0.0.1", cancellationToken);
        int port = await kong.Client.GetPortAsync(cancellationToken);
        double start = await kong.Request.GetStartTimeAsync(cancellationToken);
        KongValue shared = await kong.Ctx.Shared.GetAsync("bench", cancellationToken);
        KongMultiMap headers = await kong.Request.GetHeadersAsync(cancellationToken);
        KongConsumer? consumer = await kong.Client.GetConsumerAsync(cancellationToken);
        if (trusted || port != 0 || start != 0 || !shared.IsNil || headers.Count != 0 || consumer is not null)
        {
            throw new InvalidOperationException("the in-process client answers every call with nil");
        }

        await kong.Response.SetHeaderAsync("x-bench", "constant value", cancellationToken);
    }

    private sealed class TypedDescriptor : KongPluginDescriptor
    {
        public override string Name => "bench-typed";
        public override string Version => "0.1.0";
        public override int Priority => 1;
        public override IReadOnlyList<KongPhase> Phases { get; } = [KongPhase.Access];
        public override string SchemaJson => """{"name":"bench-typed","fields":[{"config":{"type":"record","fields":[]}}]}""";

        public override IKongPluginInstance CreateInstance(ReadOnlySpan<byte> configJson) => new TypedCallsPlugin();
    }
}
