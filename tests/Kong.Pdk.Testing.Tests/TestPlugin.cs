using System.Text;
using Kong.Pdk.Hosting;

namespace Kong.Pdk.Testing.Tests;

/// <summary>A hand-written plugin (descriptor + instance) whose handlers are lambdas: the documented advanced path,
/// independent of the source generator.</summary>
internal sealed class TestPlugin : KongPluginDescriptor
{
    private readonly Func<KongPhase, IKong, CancellationToken, ValueTask> _handler;

    public TestPlugin(IReadOnlyList<KongPhase> phases, Func<KongPhase, IKong, CancellationToken, ValueTask> handler, string name = "test-plugin")
    {
        Phases = phases;
        _handler = handler;
        Name = name;
    }

    public override string Name { get; }

    public override string Version => "1.0.0";

    public override int Priority => 1000;

    public override IReadOnlyList<KongPhase> Phases { get; }

    public override string SchemaJson => "{\"name\":\"" + Name + "\",\"fields\":[{\"config\":{\"type\":\"record\",\"fields\":[]}}]}";

    /// <summary>The config JSON of the last instance created.</summary>
    public string? LastConfigJson { get; private set; }

    public override IKongPluginInstance CreateInstance(ReadOnlySpan<byte> configJson)
    {
        LastConfigJson = Encoding.UTF8.GetString(configJson);
        return new Instance(_handler);
    }

    public static TestPlugin For(params KongPhase[] phases) => new(phases, static (_, _, _) => ValueTask.CompletedTask);

    public static TestPlugin For(KongPhase[] phases, Func<KongPhase, IKong, CancellationToken, ValueTask> handler) => new(phases, handler);

    private sealed class Instance(Func<KongPhase, IKong, CancellationToken, ValueTask> handler) : IKongPluginInstance
    {
        public ValueTask InvokeAsync(KongPhase phase, IKong kong, CancellationToken cancellationToken) => handler(phase, kong, cancellationToken);
    }
}

internal static class Bounded
{
    /// <summary>A token that bounds a test's awaits (the host bounds each run at 10 s as well).</summary>
    public static CancellationToken Token => new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token;
}
