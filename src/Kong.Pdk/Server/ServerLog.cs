using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Kong.Pdk.Hosting;
using Microsoft.Extensions.Logging;

namespace Kong.Pdk.Server;

/// <summary>
/// The server's own log: one line per record on stderr, <c>2026/11/26 22:50:00 [warn] my-plugin: text</c>. Kong
/// copies the server's output into its error log (prefixed with <c>[name:pid]</c>); stdout is reserved for
/// <c>-dump</c>.
/// </summary>
/// <remarks>
/// Logging never blocks the caller: lines go into a bounded queue that one writer drains on a thread-pool thread.
/// When the reader of stderr stalls, the writer blocks, the queue fills, and further lines are dropped and counted
/// (reported in one line once the writer catches up). Each call site is also rate-limited
/// (<see cref="LogRateLimiter"/>), since a peer controls how often most lines fire. With an <see cref="ILogger"/>
/// (an application host's <c>ILoggerFactory</c>, category <c>Kong.Pdk.Server</c>), the same writer thread hands each
/// record to the logger instead of formatting it for stderr: queueing, dropping and rate limits stay as they are.
/// </remarks>
internal sealed class ServerLog
{
    public const int DefaultCapacity = 4096;

    private readonly TextWriter _output;
    private readonly ConcurrentQueue<(KongLogLevel Level, string Text)> _queue = new();
    private readonly ILogger? _logger;
    private readonly int _capacity;
    private readonly LogRateLimiter _limiter;
    private int _queued;
    private int _draining;
    private long _dropped;
    private long _droppedUnreported;

    /// <summary>The category of the server's lines when they go through an <c>ILoggerFactory</c>.</summary>
    public const string Category = "Kong.Pdk.Server";

    public ServerLog(string source, KongLogLevel minimum, TextWriter? output = null, int capacity = DefaultCapacity, LogRateLimiter? limiter = null, ILogger? logger = null)
    {
        _logger = logger;
        Source = source;
        Minimum = minimum;
        _output = output ?? Console.Error;
        _capacity = capacity;
        _limiter = limiter ?? new LogRateLimiter();
    }

    public string Source { get; }

    public KongLogLevel Minimum { get; }

    /// <summary>Lines dropped because the queue was full (the reader of stderr did not keep up).</summary>
    public long DroppedLines => Interlocked.Read(ref _dropped);

    /// <summary>Lines not written because their call site was over its rate limit.</summary>
    public long SuppressedLines => _limiter.TotalSuppressed;

    public bool IsEnabled(KongLogLevel level) => level >= Minimum && level != KongLogLevel.None;

    public void Debug(string message, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => Write(KongLogLevel.Debug, message, file, line);

    public void Info(string message, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => Write(KongLogLevel.Info, message, file, line);

    public void Warn(string message, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => Write(KongLogLevel.Warn, message, file, line);

    public void Error(string message, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => Write(KongLogLevel.Error, message, file, line);

    /// <summary>Queues one record; never blocks. The call site (<paramref name="file"/>, <paramref name="line"/>)
    /// is the unit of rate limiting.</summary>
    public void Write(KongLogLevel level, string message, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        if (!IsEnabled(level)) return;
        bool admitted = _limiter.Admit(file, line, level, message, out string? summary);
        if (summary is not null) Enqueue(level, summary);
        if (admitted) Enqueue(level, message);
    }

    /// <summary>Writes the count of lines suppressed in rate-limit windows that have ended; called by the sweep.</summary>
    public void ReportSuppressed() => _limiter.ReportEnded(Enqueue);

    /// <summary>Waits until every queued line was written, or <paramref name="timeout"/> passed (the reader of
    /// stderr is stalled). Used at exit and by tests.</summary>
    public bool Flush(TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Volatile.Read(ref _queued) > 0 || Volatile.Read(ref _draining) != 0)
        {
            if (Environment.TickCount64 > deadline) return false;
            Thread.Sleep(1);
        }

        return true;
    }

    private void Enqueue(KongLogLevel level, string message)
    {
        if (Interlocked.Increment(ref _queued) > _capacity)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
            Interlocked.Increment(ref _droppedUnreported);
            return;
        }

        string name = level switch
        {
            KongLogLevel.Debug => "debug",
            KongLogLevel.Info => "info",
            KongLogLevel.Warn => "warn",
            _ => "error",
        };

        // One record per line: Kong reads the output line by line. A logger gets the message as it is.
        _queue.Enqueue((level, _logger is not null ? message : string.Create(CultureInfo.InvariantCulture,
            $"{DateTime.UtcNow:yyyy/MM/dd HH:mm:ss} [{name}] {Source}: {message.ReplaceLineEndings(" | ")}")));
        if (Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
        {
            // A dedicated thread, not a thread-pool one: while stderr's reader stalls, the writer blocks, and a blocked
            // pool thread would be taken from the connections and handlers. It ends when the queue is empty.
            new Thread(static log => ((ServerLog)log!).Drain()) { IsBackground = true, Name = "Kong.Pdk log writer" }.Start(this);
        }
    }

    /// <summary>The one writer, on its own thread: writes queued lines until the queue is empty. Only this may block on
    /// stderr.</summary>
    private void Drain()
    {
        while (true)
        {
            while (_queue.TryDequeue(out (KongLogLevel Level, string Text) record))
            {
                Write(record.Level, record.Text);
                Interlocked.Decrement(ref _queued);
            }

            long dropped = Interlocked.Exchange(ref _droppedUnreported, 0);
            if (dropped > 0)
            {
                string text = string.Create(CultureInfo.InvariantCulture, $"{dropped} log lines dropped: the reader of the server's output did not keep up");
                Write(KongLogLevel.Warn, _logger is not null ? text : string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyy/MM/dd HH:mm:ss} [warn] {Source}: {text}"));
            }

            try
            {
                _output.Flush();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
            }

            Volatile.Write(ref _draining, 0);
            if (_queue.IsEmpty || Interlocked.CompareExchange(ref _draining, 1, 0) != 0) return;
        }
    }

    private void Write(KongLogLevel level, string text)
    {
        if (_logger is null)
        {
            WriteLine(text);
            return;
        }

        try
        {
            LogRecord(_logger, level, text);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // A provider whose sink is gone (disposed at shutdown): like a closed stderr.
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>One record through the logger: the text is the value of <c>{Message}</c>, never a format string (it
    /// may hold braces).</summary>
    private static void LogRecord(ILogger logger, KongLogLevel level, string text)
    {
        switch (level)
        {
            case KongLogLevel.Debug: s_debug(logger, text, null); break;
            case KongLogLevel.Info: s_info(logger, text, null); break;
            case KongLogLevel.Warn: s_warn(logger, text, null); break;
            default: s_error(logger, text, null); break;
        }
    }

    private static readonly Action<ILogger, string, Exception?> s_debug = LoggerMessage.Define<string>(LogLevel.Debug, new EventId(1, "KongServer"), "{Message}");
    private static readonly Action<ILogger, string, Exception?> s_info = LoggerMessage.Define<string>(LogLevel.Information, new EventId(1, "KongServer"), "{Message}");
    private static readonly Action<ILogger, string, Exception?> s_warn = LoggerMessage.Define<string>(LogLevel.Warning, new EventId(1, "KongServer"), "{Message}");
    private static readonly Action<ILogger, string, Exception?> s_error = LoggerMessage.Define<string>(LogLevel.Error, new EventId(1, "KongServer"), "{Message}");

    private void WriteLine(string line)
    {
        try
        {
            _output.Write(line);
            _output.Write('\n');
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // stderr is gone (Kong exited): nothing to report to.
            Interlocked.Increment(ref _dropped);
        }
    }
}
