using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;

namespace Kong.Pdk.Server;

/// <summary>
/// What the accept loop does when accept fails or would leave too few file descriptors: a pause that doubles from
/// 10 ms up to 1 s while it goes on, and few log lines. Running out of file descriptors is logged at most once a
/// minute (with a line when accepting resumes, and one a minute while it lasts); open connections are served
/// meanwhile.
/// </summary>
/// <remarks>
/// The runtime itself needs descriptors now and then (starting a thread, loading an assembly); with none left the JIT
/// host aborts ("Out of memory.") or a connection is never served. Two layers keep some free:
/// <list type="bullet">
/// <item>the headroom (<see cref="DescriptorHeadroom"/>): the loop asks <see cref="MayAccept"/> before each accept, and
/// stops accepting while one more connection would leave fewer than its size free, so accept itself never takes the
/// last descriptors;</item>
/// <item>the reserve: <see cref="ReserveSize"/> descriptors on <c>/dev/null</c>, held from the start (so counted as
/// open by the headroom), given back when accept fails with EMFILE or ENFILE anyway, because something else (a
/// handler, another library) took the headroom.</item>
/// </list>
/// Out of descriptors for either reason, accepting resumes only once the whole reserve and one descriptor more could
/// be opened and the headroom and half as much again are free. The pause is reset only by an accept that succeeds.
/// </remarks>
internal sealed class AcceptBackoff : IDisposable
{
    public const int ReserveSize = 32;

    public static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(1);
    private const long ReminderMs = 60_000;

    private readonly ServerLog _log;
    private readonly DescriptorHeadroom _headroom;
    private readonly List<SafeFileHandle> _reserve = new(ReserveSize);
    private int _failures;
    private long _episodeStart;
    private long _lastReport;
    private int _episodes;
    private bool _episodeLogged;
    private int _episodeAttempts;

    /// <summary>Takes the reserve; then, unless <paramref name="headroom"/> is given (tests), counts the open
    /// descriptors for the headroom (the reserve among them).</summary>
    public AcceptBackoff(ServerLog log, DescriptorHeadroom? headroom = null)
    {
        _log = log;
        TakeReserve();
        _headroom = headroom ?? new DescriptorHeadroom();
    }

    /// <summary>Attempts (failed accepts and recovery checks) since the process started; tests bound it.</summary>
    internal int Attempts { get; private set; }

    /// <summary>True from an accept that ran out of descriptors (or was held back by the headroom) until the reserve
    /// could be taken again and the headroom is free.</summary>
    public bool OutOfDescriptors { get; private set; }

    /// <summary>Before each accept, with <paramref name="openConnections"/> open: true when a connection may be
    /// accepted; false (pause <see cref="NextPause"/>, then ask again) while out of descriptors or when one more
    /// connection would leave fewer than the headroom free.</summary>
    public bool MayAccept(int openConnections)
    {
        if (OutOfDescriptors) return TryRecover(openConnections);
        if (_headroom.AllowsAccept(openConnections)) return true;
        Attempts++;
        BeginEpisode($"{_headroom.LastCount} of {_headroom.LastLimit} open, {_headroom.Size} kept free for the runtime", openConnections);
        return false;
    }

    /// <summary>While the server stops (the backlog is accepted without waiting): true while one more connection
    /// leaves the headroom free.</summary>
    public bool HasHeadroom(int openConnections) => !OutOfDescriptors && _headroom.AllowsAccept(openConnections);

    /// <summary>Records a failed accept; returns how long to pause before trying again.</summary>
    public TimeSpan Failed(SocketException ex, int openConnections)
    {
        Attempts++;
        if (ex.SocketErrorCode == SocketError.TooManyOpenSockets)
        {
            ReleaseReserve();
            BeginEpisode(ex.Message, openConnections);
        }
        else
        {
            _log.Warn($"accept failed: {ex.Message}");
        }

        return NextPause();
    }

    private void BeginEpisode(string reason, int openConnections)
    {
        _episodeAttempts++;
        if (OutOfDescriptors) return;
        long now = Environment.TickCount64;
        OutOfDescriptors = true;
        _episodeStart = now;
        _episodeAttempts = 1;
        _episodeLogged = _episodes == 0 || now - _lastReport >= ReminderMs;
        if (_episodeLogged)
        {
            string repeated = _episodes > 1 ? $" ({_episodes} times in all)" : "";
            _lastReport = now;
            _log.Warn($"accept: out of file descriptors ({reason}) with {openConnections} connections open{repeated}: new connections wait in the socket's backlog until descriptors are free (raise the open-file limit or lower -max-connections)");
        }

        _episodes++;
    }

    /// <summary>While <see cref="OutOfDescriptors"/>: true once the reserve is held again and the headroom, with its
    /// <see cref="DescriptorHeadroom.ResumeMargin"/>, is free (accepting may resume).</summary>
    public bool TryRecover(int openConnections)
    {
        Attempts++;
        _episodeAttempts++;
        if (!TakeReserve(spare: 1) || !_headroom.AllowsAccept(openConnections, _headroom.ResumeMargin))
        {
            long now = Environment.TickCount64;
            if (now - _lastReport >= ReminderMs)
            {
                _lastReport = now;
                _log.Warn($"accept: still out of file descriptors after {(now - _episodeStart) / 1000} s, with {openConnections} connections open");
            }

            return false;
        }

        if (_episodeLogged) _log.Info($"accept: file descriptors are free again after {Environment.TickCount64 - _episodeStart} ms and {_episodeAttempts} attempts: accepting again");
        OutOfDescriptors = false;
        return true;
    }

    /// <summary>The pause before the next attempt: 10 ms, doubling with each failure, at most <see cref="MaxPause"/>.</summary>
    public TimeSpan NextPause()
    {
        _failures++;
        return TimeSpan.FromMilliseconds(Math.Min(MaxPause.TotalMilliseconds, 10 << Math.Min(_failures - 1, 7)));
    }

    /// <summary>Records a successful accept.</summary>
    public void Succeeded() => _failures = 0;

    public void Dispose() => ReleaseReserve();

    /// <summary>Opens the reserve, and checks that <paramref name="spare"/> descriptors more can be opened too (they
    /// are closed again at once); when not, holds none (leaves them all to the runtime).</summary>
    private bool TakeReserve(int spare = 0)
    {
        if (!OperatingSystem.IsLinux()) return true;
        try
        {
            while (_reserve.Count < ReserveSize) _reserve.Add(OpenDescriptor());
            for (int i = 0; i < spare; i++) OpenDescriptor().Dispose();
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ReleaseReserve();
            return false;
        }
    }

    /// <summary>Opens one descriptor (on <c>/dev/null</c>); tests replace it to simulate exhaustion.</summary>
    internal Func<SafeFileHandle> OpenDescriptor { get; set; } = static () => File.OpenHandle("/dev/null", FileMode.Open, FileAccess.Read);

    private void ReleaseReserve()
    {
        foreach (SafeFileHandle handle in _reserve) handle.Dispose();
        _reserve.Clear();
    }
}
