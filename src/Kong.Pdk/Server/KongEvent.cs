using System.Runtime.CompilerServices;
using System.Text;
using Kong.Pdk.Pdk;
using MessagePack;

namespace Kong.Pdk.Server;

/// <summary>
/// The <see cref="IKong"/> a handler receives: a handle of one event, allocated per event (one reference, 24 bytes),
/// over the pooled <see cref="EventCore"/> that does the work; the only allocation of the server per event. The PDK
/// modules (<see cref="KongRequest"/>, ...) are structs holding this handle, so touching them allocates nothing.
/// When the event ends the handle lets go of the core (<see cref="End"/>), so a handler that keeps
/// <see cref="IKong"/>, or one of its modules, after its event gets <see cref="KongEventEndedException"/> instead
/// of reaching the next event that reuses the core.
/// </summary>
internal sealed class KongEvent : IKong
{
    // The core while the event runs; an Ended marker (the reason and the phase) once it ended.
    private object _state;

    public KongEvent(EventCore core) => _state = core;

    /// <summary>The core, or null once the event ended.</summary>
    internal EventCore? Core => _state as EventCore;

    public KongPhase Phase => _state is EventCore core ? core.Phase : ((Ended)_state).Phase;

    public KongRequest Request => new(this);

    public KongResponse Response => new(this);

    public KongLog Log => new(this);

    public KongClient Client => new(this);

    public KongCtx Ctx => new(this);

    public KongIp Ip => new(this);

    public KongNginx Nginx => new(this);

    public KongNode Node => new(this);

    public KongPluginModule Plugin => new(this);

    public KongCluster Cluster => new(this);

    public KongRouter Router => new(this);

    public KongService Service => new(this);

    public KongVault Vault => new(this);

    public KongTelemetry Telemetry => new(this);

    public ValueTask<KongValue> CallAsync(string method, params KongValue[] args) => CallAsync(method, args, default);

    public ValueTask<KongValue> CallAsync(string method, KongValue[] args, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(args);
        int count = PdkWrite.CountArgs(args, method, nameof(args));
        // The escape hatch is not on the hot path: the name is encoded per call. Kong checks phases itself.
        MessagePackWriter writer = BeginCall(Encoding.UTF8.GetBytes(method), count, PdkPhases.All, cancellationToken);
        for (int i = 0; i < count; i++) args[i].WriteTo(ref writer);
        return SendCallAsync(ref writer, PdkDecoders.Value);
    }

    /// <summary>Starts encoding a PDK call (see <see cref="EventCore.BeginCall"/>).</summary>
    internal MessagePackWriter BeginCall(byte[] method, int argCount, PdkPhases allowed, CancellationToken cancellationToken)
    {
        if (_state is not EventCore core) throw EndedException();
        return core.BeginCall(this, method, argCount, allowed, cancellationToken);
    }

    /// <summary>Sends the call begun with <see cref="BeginCall"/>; completes with Kong's answer decoded by
    /// <paramref name="decoder"/> (see <see cref="EventCore.SendCallAsync"/>).</summary>
    internal ValueTask<T> SendCallAsync<T>(ref MessagePackWriter writer, PdkDecoder<T> decoder)
        => _state is EventCore core ? core.SendCallAsync(ref writer, decoder) : ValueTask.FromException<T>(EndedException());

    /// <summary>Sends a call whose answer is ignored (see <see cref="EventCore.SendIgnoredCallAsync"/>).</summary>
    internal ValueTask SendIgnoredCallAsync(ref MessagePackWriter writer)
        => _state is EventCore core ? core.SendIgnoredCallAsync(ref writer) : ValueTask.FromException(EndedException());

    /// <summary>Sends a call that answers a string or nil (<see cref="PdkDecoders.StringOrNull"/>).</summary>
    internal ValueTask<string?> SendStringOrNullCallAsync(ref MessagePackWriter writer) => SendCallAsync(ref writer, PdkDecoders.StringOrNull);

    /// <summary>Sends a call that answers a string, empty for nil (<see cref="PdkDecoders.String"/>).</summary>
    internal ValueTask<string> SendStringCallAsync(ref MessagePackWriter writer) => SendCallAsync(ref writer, PdkDecoders.String);

    /// <summary>Sends a terminal call (see <see cref="EventCore.SendTerminalAsync"/>).</summary>
    internal ValueTask SendTerminalAsync(ref MessagePackWriter writer)
        => _state is EventCore core ? core.SendTerminalAsync(ref writer) : ValueTask.FromException(EndedException());

    /// <summary>The event ended: the handle lets go of the core, which may serve another event from now on.</summary>
    internal void End(KongEventEndReason reason, KongPhase phase) => Volatile.Write(ref _state, Ended.For(reason, phase));

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal KongEventEndedException EndedException()
        => new(_state is Ended ended ? ended.Reason : KongEventEndReason.Exited);

    /// <summary>What a member of a PDK module value that was never obtained from <see cref="IKong"/> (a
    /// <c>default</c> struct) throws.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static InvalidOperationException NotObtained(string module)
        => new($"This {module} was not obtained from IKong (it is default({module})): use the value the handler's IKong gives, such as kong.Request.");

    /// <summary>Why and in which phase an event ended; one shared instance per pair, so ending allocates nothing.</summary>
    private sealed class Ended
    {
        private static readonly int PhaseCount = Enum.GetValues<KongPhase>().Length;
        private static readonly Ended[] All = Create();

        private Ended(KongEventEndReason reason, KongPhase phase)
        {
            Reason = reason;
            Phase = phase;
        }

        public KongEventEndReason Reason { get; }

        public KongPhase Phase { get; }

        public static Ended For(KongEventEndReason reason, KongPhase phase) => All[((int)reason * PhaseCount) + (int)phase];

        private static Ended[] Create()
        {
            KongEventEndReason[] reasons = Enum.GetValues<KongEventEndReason>();
            KongPhase[] phases = Enum.GetValues<KongPhase>();
            var all = new Ended[reasons.Length * PhaseCount];
            foreach (KongEventEndReason reason in reasons)
            {
                foreach (KongPhase phase in phases) all[((int)reason * PhaseCount) + (int)phase] = new Ended(reason, phase);
            }

            return all;
        }
    }
}
