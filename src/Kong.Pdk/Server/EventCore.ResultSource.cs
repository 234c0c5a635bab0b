using System.Threading.Tasks.Sources;
using Kong.Pdk.Pdk;

namespace Kong.Pdk.Server;

internal sealed partial class EventCore
{
    /// <summary>
    /// The source of the <see cref="ValueTask{TResult}"/> of the event's calls decoded by one <see cref="PdkDecoder{T}"/>:
    /// it forwards to the event's pending step and decodes the answer when the handler reads it. One per core and
    /// decoder, made on first use and kept while the core is pooled: nothing per call.
    /// </summary>
    private sealed class ResultSource<T>(EventCore core, PdkDecoder<T> decoder) : IValueTaskSource<T>
    {
        /// <summary>Decodes the answer: once the step is read the handler may make its next call, which reuses the
        /// receive buffer, so the answer is decoded here, before the handler resumes.</summary>
        public T GetResult(short token) => decoder.Read(core.ReadPending(token));

        public ValueTaskSourceStatus GetStatus(short token) => core._pending.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
            => core._pending.OnCompleted(continuation, state, token, flags);
    }
}
