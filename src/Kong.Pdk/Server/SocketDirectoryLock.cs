using System.Runtime.InteropServices;
using System.Text;

namespace Kong.Pdk.Server;

/// <summary>
/// An exclusive advisory lock (<c>flock</c>) on the socket's directory, held by a starting server around the rename
/// that takes the path over and by a stopping server around its check-and-delete of the path. Without it, a new
/// server's rename between the old server's identity check and its delete would get the new socket deleted (Kong
/// starts the new server from a timer, so both can coincide).
/// </summary>
/// <remarks>
/// The lock is taken on the directory itself, so no extra file is left beside the socket. The critical sections are
/// a few system calls long; the wait is bounded (<see cref="Timeout"/>) so that a stopped process holding it cannot
/// hang a server. Where the directory cannot be opened (not readable, not Linux) no lock is taken and the server
/// behaves as without it.
/// </remarks>
internal sealed class SocketDirectoryLock : IDisposable
{
    /// <summary>How long <see cref="TryAcquire"/> waits for another server to release the lock.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private const int ORdOnly = 0;
    private const int OCloExec = 0x80000;       // the same on x86-64, arm64 and the generic layout
    private const int LockEx = 2;
    private const int LockNb = 4;
    private const int LockUn = 8;
    private const int EIntr = 4;
    private const int EWouldBlock = 11;         // EAGAIN

    private int _fd;

    private SocketDirectoryLock(int fd) => _fd = fd;

    /// <summary>The outcome of <see cref="TryAcquire"/>.</summary>
    internal enum Result
    {
        /// <summary>The lock is held.</summary>
        Acquired,

        /// <summary>No lock can be taken here (the directory cannot be opened, or not Linux): go on without.</summary>
        Unsupported,

        /// <summary>Another process held the lock for all of <see cref="Timeout"/>.</summary>
        TimedOut,
    }

    /// <summary>Takes the lock on <paramref name="directory"/>, waiting up to <paramref name="timeout"/>.</summary>
    public static Result TryAcquire(string directory, TimeSpan timeout, out SocketDirectoryLock? held)
    {
        held = null;
        if (!OperatingSystem.IsLinux()) return Result.Unsupported;
        int fd;
        try
        {
            fd = Open(Encoding.UTF8.GetBytes(directory + "\0"), ORdOnly | OCloExec, 0);
        }
        catch (EntryPointNotFoundException)
        {
            return Result.Unsupported;
        }

        if (fd < 0) return Result.Unsupported;
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            if (Flock(fd, LockEx | LockNb) == 0)
            {
                held = new SocketDirectoryLock(fd);
                return Result.Acquired;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != EWouldBlock && errno != EIntr)
            {
                Close(fd);
                return Result.Unsupported; // e.g. a file system without flock
            }

            if (Environment.TickCount64 >= deadline)
            {
                Close(fd);
                return Result.TimedOut;
            }

            Thread.Sleep(1);
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd < 0) return;
        Flock(fd, LockUn);
        Close(fd);
    }

    // Blittable arguments only (the byte array is pinned, not copied): no runtime marshalling code, NativeAOT-clean.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(byte[] path, int flags, int mode);

    [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static extern int Flock(int fd, int operation);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
