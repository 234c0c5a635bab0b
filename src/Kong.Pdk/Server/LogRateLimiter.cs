using System.Collections.Concurrent;
using System.Globalization;
using Kong.Pdk.Hosting;

namespace Kong.Pdk.Server;

/// <summary>
/// Limits how many lines one log call site may write per window (a peer controls how often most of them fire:
/// one per garbage connection, refused event or StartInstance). Past the limit, lines are counted instead of
/// written; when the window ends, one line says how many similar messages were suppressed.
/// </summary>
internal sealed class LogRateLimiter
{
    public const int DefaultBurst = 20;

    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<(string File, int Line), Site> _sites = new();
    private readonly int _burst;
    private readonly long _windowMs;
    private readonly Func<long> _clock;
    private long _totalSuppressed;

    public LogRateLimiter(int burst = DefaultBurst, TimeSpan? window = null, Func<long>? clock = null)
    {
        _burst = burst;
        _windowMs = (long)(window ?? DefaultWindow).TotalMilliseconds;
        _clock = clock ?? (static () => Environment.TickCount64);
    }

    /// <summary>Lines not written since the start because their call site was over its limit.</summary>
    public long TotalSuppressed => Interlocked.Read(ref _totalSuppressed);

    /// <summary>Decides whether a line from a call site is written.</summary>
    /// <param name="file">The call site's source file.</param>
    /// <param name="line">The call site's line.</param>
    /// <param name="level">The line's level (a suppressed count is reported at the level of the last line).</param>
    /// <param name="message">The line (kept as "the last" of the suppressed ones).</param>
    /// <param name="summary">When this call starts a new window after lines were suppressed in the previous one, the
    /// line that reports them (to be written first); otherwise null.</param>
    public bool Admit(string file, int line, KongLogLevel level, string message, out string? summary)
    {
        Site site = _sites.GetOrAdd((file, line), static _ => new Site());
        long now = _clock();
        lock (site)
        {
            summary = site.Roll(now, _windowMs);
            if (site.Count < _burst)
            {
                site.Count++;
                return true;
            }

            site.Suppressed++;
            site.Level = level;
            site.Last = message;
        }

        Interlocked.Increment(ref _totalSuppressed);
        return false;
    }

    /// <summary>Reports the windows that ended with suppressed lines, so the count is written even when the call
    /// site fell silent; called periodically.</summary>
    public void ReportEnded(Action<KongLogLevel, string> write)
    {
        long now = _clock();
        foreach (Site site in _sites.Values)
        {
            string? summary;
            KongLogLevel level;
            lock (site)
            {
                if (site.Suppressed == 0 || now - site.WindowStart < _windowMs) continue;
                level = site.Level;
                summary = site.Roll(now, _windowMs);
            }

            if (summary is not null) write(level, summary);
        }
    }

    private sealed class Site
    {
        public long WindowStart = long.MinValue;
        public int Count;
        public int Suppressed;
        public KongLogLevel Level;
        public string? Last;

        /// <summary>Starts a new window when the current one ended; returns the summary of what it suppressed.</summary>
        public string? Roll(long now, long windowMs)
        {
            if (WindowStart != long.MinValue && now - WindowStart < windowMs) return null;
            string? summary = Suppressed == 0
                ? null
                : string.Create(CultureInfo.InvariantCulture, $"{Suppressed} similar messages suppressed in {(now - WindowStart) / 1000.0:0.#} s; the last: {Last}");
            WindowStart = now;
            Count = 0;
            Suppressed = 0;
            Last = null;
            return summary;
        }
    }
}
