using System.Runtime.InteropServices;
using System.Text;

namespace Kong.Pdk.Server;

/// <summary>
/// Facts about the socket path that .NET does not expose: whether an existing file is a socket (only a socket is
/// ever deleted at start; kong-protocol.md §1.4, docs/security.md).
/// </summary>
internal static partial class SocketFile
{
    private const int FileTypeMask = 0xF000;   // S_IFMT
    private const int SocketType = 0xC000;     // S_IFSOCK

    /// <summary>The kind of file at <paramref name="path"/> (not following symbolic links).</summary>
    public static PathKind GetKind(string path)
    {
        byte[] stat = new byte[256];
        byte[] utf8 = Encoding.UTF8.GetBytes(path + "\0");
        if (LStat(utf8, stat) != 0)
        {
            return File.Exists(path) || Directory.Exists(path) ? PathKind.Other : PathKind.Missing;
        }

        int modeOffset = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 24,
            Architecture.X86 or Architecture.Arm => 16,
            _ => 16, // arm64 and the other "generic" Linux layouts: st_dev, st_ino, st_mode
        };
        int mode = BitConverter.ToInt32(stat, modeOffset);
        return (mode & FileTypeMask) == SocketType ? PathKind.Socket : PathKind.Other;
    }

    [DllImport("libc", EntryPoint = "lstat", SetLastError = true)]
    private static extern int LStat(byte[] path, byte[] statBuffer);

    internal enum PathKind
    {
        Missing,
        Socket,
        Other,
    }
}
