using System.IO.Enumeration;

namespace Kong.Pdk.Server;

/// <summary>
/// Keeps the accept loop from taking the process's last file descriptors: a connection is accepted only while, with
/// it, <see cref="Size"/> descriptors stay free below the soft open-file limit (<c>RLIMIT_NOFILE</c>). The runtime
/// needs descriptors at moments nobody chooses: every new thread (a connection's thread, a thread-pool thread) opens
/// two for a moment, loading an assembly keeps one, and the JIT host aborts ("Out of memory.") when a thread cannot
/// start. Holding the headroom back from accept means that moment never finds none free because of connections.
/// </summary>
/// <remarks>
/// Far from the limit the check is arithmetic: the descriptors counted at the last count besides the connections, plus
/// the connections open. Within twice the headroom of the limit it counts the open descriptors
/// (<c>/proc/self/fd</c>) before each accept, so descriptors the runtime opened since (assemblies loaded lazily, epoll
/// and eventfd descriptors, a handler's files) are seen too. Linux only; elsewhere every accept is allowed.
/// </remarks>
internal sealed class DescriptorHeadroom
{
    /// <summary>Descriptors kept free by default.</summary>
    public const int DefaultSize = 64;

    private ulong _softLimit;
    private int _others;

    /// <summary>Counts the descriptors open now, so the first checks are exact.</summary>
    /// <param name="size">Descriptors to keep free below the soft limit.</param>
    /// <param name="countOpen">Counts the open descriptors: -1 when they cannot be counted (no <c>/proc</c>),
    /// <see cref="int.MaxValue"/> when not even the count could open one; null for <c>/proc/self/fd</c>.</param>
    /// <param name="softLimit">Reads the soft limit (<see cref="ulong.MaxValue"/>: none); null for
    /// <c>getrlimit</c>.</param>
    public DescriptorHeadroom(int size = DefaultSize, Func<int>? countOpen = null, Func<ulong>? softLimit = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        Size = size;
        CountOpen = countOpen ?? CountOpenDescriptors;
        SoftLimit = softLimit ?? ReadSoftLimit;
        _softLimit = SoftLimit();
        if (_softLimit != ulong.MaxValue && CountOpen() is int open and >= 0 and < int.MaxValue) _others = open;
    }

    /// <summary>Descriptors kept free below the soft limit.</summary>
    public int Size { get; }

    /// <summary>The open descriptors at the last count (for the log line).</summary>
    public int LastCount { get; private set; }

    /// <summary>The soft limit at the last count (for the log line).</summary>
    public ulong LastLimit => _softLimit;

    private Func<int> CountOpen { get; }

    private Func<ulong> SoftLimit { get; }

    /// <summary>The decision: true when, with <paramref name="open"/> descriptors open, one more still leaves
    /// <paramref name="headroom"/> free below <paramref name="softLimit"/> (<see cref="ulong.MaxValue"/>: no limit).</summary>
    public static bool LeavesHeadroom(long open, ulong softLimit, int headroom)
        => softLimit == ulong.MaxValue || (open >= 0 && (ulong)open + 1 + (ulong)headroom <= softLimit);

    /// <summary>True when a connection may be accepted now, with <paramref name="openConnections"/> open: one more
    /// descriptor leaves <see cref="Size"/> free (and <paramref name="margin"/> more: accepting resumes after a stop
    /// only with <see cref="ResumeMargin"/> to spare, so descriptors a starting thread holds for a moment at the stop
    /// do not make it resume and stop again at once).</summary>
    public bool AllowsAccept(int openConnections, int margin = 0)
    {
        if (_softLimit == ulong.MaxValue) return true;
        int headroom = Size + margin;
        long estimate = (long)_others + openConnections;
        if (LeavesHeadroom(estimate + Size, _softLimit, headroom)) return true;

        // Near the limit: count what is really open (the runtime may have opened more since the last count).
        _softLimit = SoftLimit();
        int open = CountOpen();
        if (open < 0) return LeavesHeadroom(estimate, _softLimit, headroom);
        LastCount = open;
        if (open == int.MaxValue) return false;
        _others = Math.Max(0, open - openConnections);
        return LeavesHeadroom(open, _softLimit, headroom);
    }

    /// <summary>Descriptors free beyond the headroom that accepting needs to resume after it stopped: half the
    /// headroom.</summary>
    public int ResumeMargin => Size / 2;

    private static ulong ReadSoftLimit() => FileDescriptorLimit.TryGet(out ulong soft, out _) ? soft : ulong.MaxValue;

    private static readonly EnumerationOptions AllEntries = new() { AttributesToSkip = 0, IgnoreInaccessible = false, RecurseSubdirectories = false };

    /// <summary>The process's open descriptors, from <c>/proc/self/fd</c> (without the one the count itself opens);
    /// -1 without <c>/proc</c>, <see cref="int.MaxValue"/> when the directory cannot be opened (no descriptor free).</summary>
    private static int CountOpenDescriptors()
    {
        if (!OperatingSystem.IsLinux()) return -1;
        try
        {
            int count = 0;
            foreach (byte _ in new FileSystemEnumerable<byte>("/proc/self/fd", static (ref FileSystemEntry _) => 0, AllEntries)) count++;
            return Math.Max(0, count - 1);
        }
        catch (Exception ex) when (ex is DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return -1;
        }
        catch (IOException)
        {
            return int.MaxValue;
        }
    }
}
