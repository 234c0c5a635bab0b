using System.Text;
using Kong.Pdk.Hosting;
using Kong.Pdk.Server;

namespace Kong.Pdk.Tests;

/// <summary>Issue 9: the server log never blocks; it drops (and counts) lines when its queue is full, and
/// rate-limits each call site.</summary>
public sealed class ServerLogTests
{
    [Fact]
    public void QueueFull_LinesAreDroppedAndCounted_ThenReportedOnceTheWriterCatchesUp()
    {
        var output = new GatedWriter();
        var log = new ServerLog("my-plugin", KongLogLevel.Debug, output, capacity: 4, new LogRateLimiter(burst: 1000));
        for (int i = 0; i < 11; i++) log.Info("line " + i); // returns at once although the writer is stuck

        Assert.Equal(7, log.DroppedLines);
        output.Gate.Set();
        Assert.True(log.Flush(TimeSpan.FromSeconds(10)));
        string[] lines = output.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["line 0", "line 1", "line 2", "line 3"], lines[..4].Select(l => l[(l.IndexOf(": ", StringComparison.Ordinal) + 2)..]));
        Assert.EndsWith("[warn] my-plugin: 7 log lines dropped: the reader of the server's output did not keep up", lines[4]);
        Assert.Equal(5, lines.Length);
    }

    /// <summary>Review D9: the writer that blocks while stderr stalls is not a thread-pool thread.</summary>
    [Fact]
    public void TheWriterThatBlocksOnAStalledStderr_IsNotAThreadPoolThread()
    {
        var output = new GatedWriter();
        var log = new ServerLog("my-plugin", KongLogLevel.Debug, output);
        log.Info("stalled");
        Assert.True(output.Entered.Wait(TimeSpan.FromSeconds(10)));
        Assert.False(output.WriterWasPoolThread);
        output.Gate.Set();
        Assert.True(log.Flush(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void RepeatedLines_FromOneCallSite_AreRateLimited_AndTheSuppressedCountIsReported()
    {
        long now = 1_000_000;
        var output = new StringWriter();
        var log = new ServerLog("my-plugin", KongLogLevel.Debug, output, limiter: new LogRateLimiter(burst: 3, TimeSpan.FromSeconds(10), () => now));
        for (int i = 0; i < 10; i++) Refused(log, i);
        log.Warn("another call site"); // not limited by the other site's count

        Assert.Equal(7, log.SuppressedLines);
        now += 10_000;
        Refused(log, 10); // a new window: the count of the last one comes first

        Assert.True(log.Flush(TimeSpan.FromSeconds(10)));
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l[(l.IndexOf("my-plugin: ", StringComparison.Ordinal) + 11)..]).ToArray();
        Assert.Equal(["refused 0", "refused 1", "refused 2", "another call site",
            "7 similar messages suppressed in 10 s; the last: refused 9", "refused 10"], lines);
    }

    private static void Refused(ServerLog log, int i) => log.Warn("refused " + i);

    [Fact]
    public void SuppressedCount_IsReportedByTheSweep_WhenTheCallSiteFallsSilent()
    {
        long now = 0;
        var output = new StringWriter();
        var log = new ServerLog("my-plugin", KongLogLevel.Debug, output, limiter: new LogRateLimiter(burst: 2, TimeSpan.FromSeconds(10), () => now));
        for (int i = 0; i < 5; i++) log.Error("unhandled " + i);
        log.ReportSuppressed(); // the window has not ended yet
        now += 12_000;
        log.ReportSuppressed();
        log.ReportSuppressed(); // reported once
        Assert.True(log.Flush(TimeSpan.FromSeconds(10)));

        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.EndsWith("[error] my-plugin: 3 similar messages suppressed in 12 s; the last: unhandled 4", lines[2]);
    }

    /// <summary>A writer stuck until <see cref="Gate"/> opens, like stderr whose reader stopped.</summary>
    private sealed class GatedWriter : TextWriter
    {
        private readonly StringBuilder _text = new();

        public ManualResetEventSlim Gate { get; } = new();

        /// <summary>Set once a write started (and is waiting at the gate).</summary>
        public ManualResetEventSlim Entered { get; } = new();

        public bool WriterWasPoolThread { get; private set; }

        public override Encoding Encoding => Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (_text) return _text.ToString();
            }
        }

        private void Enter()
        {
            if (Entered.IsSet) return;
            WriterWasPoolThread = Thread.CurrentThread.IsThreadPoolThread;
            Entered.Set();
        }

        public override void Write(char value)
        {
            Enter();
            Gate.Wait();
            lock (_text) _text.Append(value);
        }

        public override void Write(string? value)
        {
            Enter();
            Gate.Wait();
            lock (_text) _text.Append(value);
        }
    }
}
