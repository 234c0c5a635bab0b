using Kong.Pdk.Hosting;

namespace Kong.Pdk.Tests;

/// <summary>A hand-written plugin whose phase handlers are lambdas (the descriptor contract's advanced path).</summary>
internal sealed class TestPlugin : KongPluginDescriptor
{
    private readonly Dictionary<KongPhase, Func<IKong, CancellationToken, ValueTask>> _handlers = new();

    public TestPlugin(string name = "test-plugin", KongFailurePolicy policy = KongFailurePolicy.FailClosed)
    {
        Name = name;
        FailurePolicy = policy;
    }

    private List<KongPhase>? _phases;

    public override string Name { get; }

    public override string Version => "1.0.0";

    public override int Priority => 10;

    public override KongFailurePolicy FailurePolicy { get; }

    // Made once per change of handlers: the server reads it on every HandleEvent (AllocationTests counts the bytes).
    public override IReadOnlyList<KongPhase> Phases => _phases ??= _handlers.Keys.Order().ToList();

    public override string SchemaJson => "{\"name\":\"" + Name + "\",\"fields\":[{\"config\":{\"type\":\"record\",\"fields\":[]}}]}";

    /// <summary>Called with the config JSON; may throw to simulate a failing constructor.</summary>
    public Action<string>? OnCreate { get; set; }

    public TestPlugin On(KongPhase phase, Func<IKong, CancellationToken, ValueTask> handler)
    {
        _handlers[phase] = handler;
        _phases = null;
        return this;
    }

    public override IKongPluginInstance CreateInstance(ReadOnlySpan<byte> configJson)
    {
        string json = System.Text.Encoding.UTF8.GetString(configJson);
        if (json.Length > 0 && json[0] != '{') throw new KongConfigException("the config is not a JSON object");
        OnCreate?.Invoke(json);
        return new Instance(this);
    }

    private sealed class Instance(TestPlugin plugin) : IKongPluginInstance
    {
        public ValueTask InvokeAsync(KongPhase phase, IKong kong, CancellationToken cancellationToken)
            => plugin._handlers[phase](kong, cancellationToken);
    }
}
