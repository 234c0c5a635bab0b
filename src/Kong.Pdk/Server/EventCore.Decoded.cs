using System.Threading.Tasks.Sources;
using Kong.Pdk.Pdk;
using MessagePack;

namespace Kong.Pdk.Server;

/// <summary>
/// The event as the source of its most common PDK results, decoded when they are read: a call whose answer is
/// ignored and a call that answers a string. The <see cref="ValueTask"/> handed to the handler is backed by the
/// event itself (it forwards to the pending step), so these calls need no async state machine of their own. The
/// wrappers in <see cref="PdkDecode"/> pool theirs per thread, which an event-loop thread interleaving many
/// suspended events mostly misses (issue #13); this path allocates nothing per call whatever the thread.
/// </summary>
internal sealed partial class EventCore : IValueTaskSource, IValueTaskSource<string?>
{
    private bool _emptyForNil; // the string call in flight answers "" for nil (kong.request.get_path and the like)

    /// <summary>Sends the call begun with <see cref="BeginCall"/>; completes when Kong answers, throwing its error.</summary>
    internal ValueTask SendIgnoredCallAsync(ref MessagePackWriter writer)
    {
        ValueTask<PdkResult> pending = SendCallAsync(ref writer);
        return pending.IsCompleted ? PdkDecode.IgnoreAsync(pending) : new ValueTask(this, _pending.Version);
    }

    /// <summary>Sends the call begun with <see cref="BeginCall"/>; completes with Kong's string, null for nil.</summary>
    internal ValueTask<string?> SendStringOrNullCallAsync(ref MessagePackWriter writer)
    {
        ValueTask<PdkResult> pending = SendCallAsync(ref writer);
        if (pending.IsCompleted) return PdkDecode.StringOrNullAsync(pending);
        _emptyForNil = false;
        return new ValueTask<string?>(this, _pending.Version);
    }

    /// <summary>Sends the call begun with <see cref="BeginCall"/>; completes with Kong's string, empty for nil.</summary>
    internal ValueTask<string> SendStringCallAsync(ref MessagePackWriter writer)
    {
        ValueTask<PdkResult> pending = SendCallAsync(ref writer);
        if (pending.IsCompleted) return PdkDecode.StringAsync(pending);
        _emptyForNil = true;
        return new ValueTask<string>(this!, _pending.Version); // GetResult never answers null while _emptyForNil is set
    }

    void IValueTaskSource.GetResult(short token) => _pending.GetResult(token).ThrowIfError();

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _pending.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _pending.OnCompleted(continuation, state, token, flags);

    string? IValueTaskSource<string?>.GetResult(short token)
    {
        bool emptyForNil = _emptyForNil; // read before the result: once it is read the handler may start the next call
        string? value = PdkDecode.ReadStringOrNull(_pending.GetResult(token));
        return value ?? (emptyForNil ? string.Empty : null);
    }

    ValueTaskSourceStatus IValueTaskSource<string?>.GetStatus(short token) => _pending.GetStatus(token);

    void IValueTaskSource<string?>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _pending.OnCompleted(continuation, state, token, flags);
}
