namespace Kong.Pdk.Hosting;

/// <summary>How the server serves each of Kong's connections (see docs/performance.md).</summary>
public enum KongConnectionMode
{
    /// <summary>
    /// A thread per connection with blocking socket I/O: the thread that receives Kong's step runs the handler and
    /// sends its next call, with no hand-off between threads. Kong keeps one request in flight per connection, so a
    /// blocked handler holds only its own connection. The default: the lowest latency and CPU per event.
    /// </summary>
    Thread = 0,

    /// <summary>
    /// Asynchronous socket I/O through System.IO.Pipelines: no thread per connection, one thread-pool hand-off per
    /// received message. For servers that keep many thousands of mostly idle connections.
    /// </summary>
    Async = 1,
}
