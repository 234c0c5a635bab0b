namespace Kong.Pdk.Hosting;

/// <summary>How the server serves each of Kong's connections (see docs/performance.md).</summary>
public enum KongConnectionMode
{
    /// <summary>
    /// A thread per connection with blocking socket I/O: the thread that receives Kong's step runs the handler and
    /// sends its next call, with no hand-off between threads. Kong keeps one request in flight per connection, so a
    /// blocked handler holds only its own connection: for plugins whose handlers block (synchronous I/O), at the price
    /// of one thread (and its stack) per Kong connection.
    /// </summary>
    Thread = 0,

    /// <summary>
    /// A few event-loop threads (one per core by default, <see cref="KongServerOptions.EventLoops"/>), each serving its
    /// connections with epoll and nonblocking socket I/O and running their handlers inline up to the next await: a
    /// bounded number of threads at any connection count, with no thread hand-off per message. A handler must not block
    /// its thread (await instead): it stalls the loop's other connections until the handler deadline, when a new
    /// thread takes the loop over. The default. Linux only; elsewhere the server falls back to <see cref="Thread"/>.
    /// </summary>
    EventLoop = 2,
}
