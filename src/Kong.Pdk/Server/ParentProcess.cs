using System.Globalization;

namespace Kong.Pdk.Server;

/// <summary>
/// Detects that the process that started us went away (kong-protocol.md §1.3: after a SIGKILL of Kong the plugin
/// server is orphaned and re-parented to pid 1). Linux only; elsewhere it never reports an orphan.
/// </summary>
internal static class ParentProcess
{
    /// <summary>The parent pid from <c>/proc/self/stat</c>, or -1 when it cannot be read.</summary>
    public static int CurrentParentId()
    {
        try
        {
            string stat = File.ReadAllText("/proc/self/stat");
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so parse after the last ')'.
            int close = stat.LastIndexOf(')');
            string[] fields = stat[(close + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return -1;
        }
    }
}
