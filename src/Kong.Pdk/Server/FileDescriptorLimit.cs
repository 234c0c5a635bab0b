using System.Runtime.InteropServices;

namespace Kong.Pdk.Server;

/// <summary>
/// The process's open-file limit (<c>RLIMIT_NOFILE</c>): every connection holds one descriptor. The soft limit is
/// often 1024 while the hard limit is much higher; the JIT host raises the soft limit to the hard one by itself, a
/// NativeAOT executable does not, so the server does it at start (Linux only).
/// </summary>
internal static class FileDescriptorLimit
{
    /// <summary>Descriptors the server keeps for itself when it compares the limit with <c>-max-connections</c>: about
    /// 64 open (listener, epoll, stdio, assemblies, the reserve of <see cref="AcceptBackoff"/>) and the
    /// <see cref="DescriptorHeadroom"/> it never accepts into.</summary>
    public const int Reserve = 64 + DescriptorHeadroom.DefaultSize;

    private const int RlimitNoFile = 7; // Linux

    /// <summary>Raises the soft limit to the hard limit where allowed; returns the limits in force afterwards, or
    /// null when they cannot be read (not Linux). <see cref="ulong.MaxValue"/> means unlimited.</summary>
    public static (ulong Soft, ulong Hard)? RaiseSoftLimit()
    {
        if (!TryGet(out ulong soft, out ulong hard)) return null;
        if (soft < hard)
        {
            nuint[] raised = [(nuint)hard, (nuint)hard];
            if (hard == ulong.MaxValue) raised[0] = raised[1] = nuint.MaxValue;
            if (SetRLimit(RlimitNoFile, raised) == 0) TryGet(out soft, out hard);
        }

        return (soft, hard);
    }

    /// <summary>The soft and hard limits; <see cref="ulong.MaxValue"/> means unlimited.</summary>
    public static bool TryGet(out ulong soft, out ulong hard)
    {
        soft = hard = 0;
        if (!OperatingSystem.IsLinux()) return false;
        nuint[] limits = new nuint[2];
        try
        {
            if (GetRLimit(RlimitNoFile, limits) != 0) return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }

        soft = limits[0] == nuint.MaxValue ? ulong.MaxValue : limits[0];
        hard = limits[1] == nuint.MaxValue ? ulong.MaxValue : limits[1];
        return true;
    }

    /// <summary>Sets the soft limit (tests use it to lower and restore it).</summary>
    internal static bool TrySetSoft(ulong soft)
    {
        if (!TryGet(out _, out ulong hard)) return false;
        nuint[] limits = [soft == ulong.MaxValue ? nuint.MaxValue : (nuint)soft, hard == ulong.MaxValue ? nuint.MaxValue : (nuint)hard];
        return SetRLimit(RlimitNoFile, limits) == 0;
    }

    // struct rlimit { rlim_t rlim_cur, rlim_max; } with rlim_t an unsigned long: a pinned nuint[2], no marshalling code.
    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static extern int GetRLimit(int resource, nuint[] limits);

    [DllImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static extern int SetRLimit(int resource, nuint[] limits);
}
