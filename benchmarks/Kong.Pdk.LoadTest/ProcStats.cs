using System.Globalization;

namespace Kong.Pdk.LoadTest;

/// <summary>CPU time and memory of a process, from /proc (Linux only; zeros elsewhere).</summary>
internal static class ProcStats
{
    private const double ClockTicksPerSecond = 100; // USER_HZ, 100 on every Linux this runs on

    /// <summary>utime + stime, in seconds (fields 14 and 15 of /proc/PID/stat).</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state): utime is field 14, stime field 15.
            long utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
            long stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
            return (utime + stime) / ClockTicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return double.NaN;
        }
    }

    /// <summary>A field of /proc/PID/status in kB (VmRSS, VmHWM), as MB; NaN when unreadable.</summary>
    public static double StatusMb(int pid, string field) => StatusValue(pid, field) is long kb and >= 0 ? kb / 1024.0 : double.NaN;

    /// <summary>The leading number of a /proc/PID/status field; -1 when unreadable.</summary>
    public static long StatusValue(int pid, string field)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith(field + ":", StringComparison.Ordinal)) continue;
                string value = line[(field.Length + 1)..].Trim();
                int space = value.IndexOf(' ');
                if (space > 0) value = value[..space];
                return long.Parse(value, CultureInfo.InvariantCulture);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
        }

        return -1;
    }

    public static double RssMb(int pid) => StatusMb(pid, "VmRSS");

    public static double PeakRssMb(int pid) => StatusMb(pid, "VmHWM");

    /// <summary>Open file descriptors (sockets included) of the process; -1 when unreadable.</summary>
    public static int OpenHandles(int pid)
    {
        try
        {
            return Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    /// <summary>Threads of the process (the Threads field of /proc/PID/status); -1 when unreadable.</summary>
    public static int Threads(int pid) => (int)StatusValue(pid, "Threads");
}
