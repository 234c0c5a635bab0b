using System.Threading.Tasks.Sources;
using Kong.Pdk.Pdk;
using MessagePack;

namespace Kong.Pdk.Server;

/// <summary>
/// How a handler reads its PDK calls' answers: the <see cref="ValueTask"/> a call returns is backed by the pooled
/// event, not by an async state machine, so no call allocates whatever the thread (an async wrapper's state machine
/// is pooled per thread, which an event-loop thread interleaving many suspended events mostly misses: issue #13).
/// <list type="bullet">
/// <item>A call whose answer is ignored: the event itself is the source (<see cref="IValueTaskSource"/>).</item>
/// <item>A call answering a value: the event's <see cref="ResultSource{T}"/> for the call's decoder, made the first
/// time the core serves such a call and reused by every later event the core serves.</item>
/// </list>
/// Either forwards to the pending step (<see cref="_pending"/>) and its token. An answer is read once
/// (<see cref="ReadPending"/>): a task read twice, or kept past the handler, throws <see cref="InvalidOperationException"/>;
/// one kept past the next call fails as a stale <see cref="ManualResetValueTaskSourceCore{TResult}"/> token does. One
/// path per result: when the step has already arrived (or failed) by the time the call is sent, the same decoder
/// runs at once and the call returns a completed task (or a faulted one).
/// </summary>
internal sealed partial class EventCore : IValueTaskSource
{
    private readonly object?[] _sources = new object?[PdkDecoders.Count]; // ResultSource<T> by PdkDecoder<T>.Slot

    /// <summary>Sends the call begun with <see cref="BeginCall"/>; completes with Kong's answer decoded by
    /// <paramref name="decoder"/>, or throws Kong's error (or why the call could not be made).</summary>
    internal ValueTask<T> SendCallAsync<T>(ref MessagePackWriter writer, PdkDecoder<T> decoder)
    {
        Exception? refused = SendCall(ref writer, out short token);
        if (refused is not null) return ValueTask.FromException<T>(refused);
        if (_pending.GetStatus(token) == ValueTaskSourceStatus.Pending) return new ValueTask<T>(Source(decoder), token);
        try
        {
            return new ValueTask<T>(decoder.Read(ReadPending(token)));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<T>(ex);
        }
    }

    /// <summary>Sends the call begun with <see cref="BeginCall"/>; completes when Kong answers, throwing its error.</summary>
    internal ValueTask SendIgnoredCallAsync(ref MessagePackWriter writer)
    {
        Exception? refused = SendCall(ref writer, out short token);
        if (refused is not null) return ValueTask.FromException(refused);
        if (_pending.GetStatus(token) == ValueTaskSourceStatus.Pending) return new ValueTask(this, token);
        try
        {
            ReadPending(token).ThrowIfError();
            return default;
        }
        catch (Exception ex)
        {
            return ValueTask.FromException(ex);
        }
    }

    // The token whose answer was read last (or that the event's end closed): an answer is read once. Kong's answer lies
    // in the event's receive buffer, which the next call reuses and the event's end gives back to the pool, so a task
    // awaited twice, or kept past the handler, must not decode it again. An int, so no token equals its start value.
    private int _readToken = int.MinValue;

    /// <summary>The pending step's answer for <paramref name="token"/>, once: a second read throws.</summary>
    private PdkResult ReadPending(short token)
    {
        if (Interlocked.Exchange(ref _readToken, token) == token)
        {
            throw new InvalidOperationException("This PDK call's result was already read, or its event has ended: await each call once, before the next.");
        }

        return _pending.GetResult(token);
    }

    private ResultSource<T> Source<T>(PdkDecoder<T> decoder)
        => (ResultSource<T>)(_sources[decoder.Slot] ??= new ResultSource<T>(this, decoder));

    void IValueTaskSource.GetResult(short token) => ReadPending(token).ThrowIfError();

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _pending.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _pending.OnCompleted(continuation, state, token, flags);
}
