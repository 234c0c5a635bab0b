using System.Runtime.InteropServices;
using System.Text;

namespace Kong.Pdk.Server;

/// <summary>
/// Facts about the socket path that .NET does not expose: whether an existing file is a socket (only a socket is
/// ever replaced or deleted; kong-protocol.md §1.4, docs/security.md), and which file it is (device and inode), so
/// that a server deletes the path at shutdown only while it is still the socket that server created.
/// </summary>
/// <remarks>
/// <c>lstat</c> is exported by musl and by glibc 2.33 and later; older glibc exports only <c>__lxstat</c>, the
/// fallback. The offsets are those of the Linux <c>struct stat</c> of each architecture. On other systems (and
/// when neither call exists) no identity is known, and the server leaves the path alone at shutdown.
/// </remarks>
internal static class SocketFile
{
    private const int FileTypeMask = 0xF000;   // S_IFMT
    private const int SocketType = 0xC000;     // S_IFSOCK
    private static int s_useLxstat = -1;        // -1 unknown, 0 lstat, 1 __lxstat

    /// <summary>The kind of file at <paramref name="path"/> (not following symbolic links).</summary>
    public static PathKind GetKind(string path)
    {
        if (TryStat(path, out int mode, out _, out _)) return (mode & FileTypeMask) == SocketType ? PathKind.Socket : PathKind.Other;
        return File.Exists(path) || Directory.Exists(path) ? PathKind.Other : PathKind.Missing;
    }

    /// <summary>The device and inode of the file at <paramref name="path"/> (not following symbolic links); null
    /// when there is none or it cannot be known.</summary>
    public static FileIdentity? GetIdentity(string path)
        => TryStat(path, out _, out ulong device, out ulong inode) ? new FileIdentity(device, inode) : null;

    private static bool TryStat(string path, out int mode, out ulong device, out ulong inode)
    {
        mode = 0;
        device = inode = 0;
        if (!OperatingSystem.IsLinux()) return false;
        byte[] stat = new byte[256];
        byte[] utf8 = Encoding.UTF8.GetBytes(path + "\0");
        if (Stat(utf8, stat) != 0) return false;

        bool is64 = IntPtr.Size == 8;
        device = BitConverter.ToUInt64(stat, 0);
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
        {
            inode = BitConverter.ToUInt64(stat, 8);
            mode = BitConverter.ToInt32(stat, 24);   // st_dev, st_ino, st_nlink, st_mode
        }
        else if (is64)
        {
            inode = BitConverter.ToUInt64(stat, 8);
            mode = BitConverter.ToInt32(stat, 16);   // the generic layout: st_dev, st_ino, st_mode
        }
        else
        {
            inode = BitConverter.ToUInt32(stat, 12); // 32-bit: st_dev (8), padding, st_ino (4), st_mode
            mode = BitConverter.ToInt32(stat, 16);
        }

        return true;
    }

    private static int Stat(byte[] path, byte[] buffer)
    {
        if (Volatile.Read(ref s_useLxstat) != 1)
        {
            try
            {
                int result = LStat(path, buffer);
                Volatile.Write(ref s_useLxstat, 0);
                return result;
            }
            catch (EntryPointNotFoundException)
            {
                Volatile.Write(ref s_useLxstat, 1);
            }
        }

        // _STAT_VER of glibc: 1 on x86-64, 0 on the generic 64-bit layout, 3 on 32-bit x86 and arm.
        int version = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 1,
            Architecture.X86 or Architecture.Arm => 3,
            _ => 0,
        };
        try
        {
            return LxStat(version, path, buffer);
        }
        catch (EntryPointNotFoundException)
        {
            return -1;
        }
    }

    // Blittable arguments only (byte arrays are pinned, not copied): no runtime marshalling code, NativeAOT-clean.
    [DllImport("libc", EntryPoint = "lstat", SetLastError = true)]
    private static extern int LStat(byte[] path, byte[] statBuffer);

    [DllImport("libc", EntryPoint = "__lxstat", SetLastError = true)]
    private static extern int LxStat(int version, byte[] path, byte[] statBuffer);

    internal enum PathKind
    {
        Missing,
        Socket,
        Other,
    }

    /// <summary>Which file a path names: its device and inode.</summary>
    internal readonly record struct FileIdentity(ulong Device, ulong Inode);
}
