using System.Runtime.InteropServices;

namespace Kong.Pdk.Server;

/// <summary>
/// The Linux system calls the event-loop transport uses (<see cref="EventLoop"/>): epoll, an eventfd to wake a loop,
/// and nonblocking <c>recv</c>/<c>send</c> on a connection's descriptor. Blittable arguments only (a <c>ref byte</c>
/// is pinned, never copied), as the other libc imports of the server: no runtime marshalling code, NativeAOT-clean,
/// and no unsafe code in the assembly.
/// </summary>
internal static class LinuxEpoll
{
    public const int CloseOnExec = 0x80000; // EPOLL_CLOEXEC, EFD_CLOEXEC
    public const int EventFdNonBlocking = 0x800; // EFD_NONBLOCK
    public const int ControlAdd = 1, ControlDelete = 2, ControlModify = 3;
    public const uint In = 0x001, Out = 0x004, Error = 0x008, HangUp = 0x010, ReadHangUp = 0x2000, EdgeTriggered = 1u << 31;
    public const int NoSignal = 0x4000; // MSG_NOSIGNAL: a peer that is gone fails the send with EPIPE, no SIGPIPE
    public const int DontWait = 0x40; // MSG_DONTWAIT: never blocks, even if the descriptor was switched to blocking mode
    public const int Again = 11, Interrupted = 4; // EAGAIN (= EWOULDBLOCK), EINTR

    /// <summary>The size of <c>struct epoll_event</c>: packed (12 bytes) on x86 and x86-64, 16 bytes elsewhere.</summary>
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86 ? 12 : 16;

    /// <summary>Where <c>data</c> starts in <c>struct epoll_event</c>.</summary>
    public static int DataOffset => EventSize == 12 ? 4 : 8;

    /// <summary>Whether epoll can be used here: Linux, and an epoll instance can be created.</summary>
    public static bool IsSupported
    {
        get
        {
            if (!OperatingSystem.IsLinux()) return false;
            try
            {
                int fd = EpollCreate(CloseOnExec);
                if (fd < 0) return false;
                CloseDescriptor(fd);
                return true;
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                return false;
            }
        }
    }

    /// <summary>Registers (or removes) <paramref name="fd"/> with <paramref name="events"/> and <paramref name="data"/>.</summary>
    public static int Control(int epoll, int operation, int fd, uint events, ulong data)
    {
        Span<byte> ev = stackalloc byte[16];
        ev.Clear();
        MemoryMarshal.Write(ev, in events);
        MemoryMarshal.Write(ev[DataOffset..], in data);
        return EpollControl(epoll, operation, fd, ref MemoryMarshal.GetReference(ev));
    }

    /// <summary>Reads the <paramref name="index"/>th event of a buffer filled by <see cref="Wait"/>.</summary>
    public static (uint Events, ulong Data) ReadEvent(ReadOnlySpan<byte> events, int index)
    {
        ReadOnlySpan<byte> ev = events.Slice(index * EventSize, EventSize);
        return (MemoryMarshal.Read<uint>(ev), MemoryMarshal.Read<ulong>(ev[DataOffset..]));
    }

    /// <summary>epoll_wait into <paramref name="events"/> (a multiple of <see cref="EventSize"/> bytes).</summary>
    public static int Wait(int epoll, Span<byte> events, int timeoutMs)
        => EpollWait(epoll, ref MemoryMarshal.GetReference(events), events.Length / EventSize, timeoutMs);

    /// <summary>Nonblocking receive; the byte count, 0 at the peer's end, or -1 with the errno in <paramref name="errno"/>.</summary>
    public static int Receive(int fd, Span<byte> buffer, out int errno)
    {
        nint received = Recv(fd, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length, DontWait);
        errno = received < 0 ? Marshal.GetLastPInvokeError() : 0;
        return (int)received;
    }

    /// <summary>Nonblocking send; the byte count, or -1 with the errno in <paramref name="errno"/>.</summary>
    public static int Send(int fd, ReadOnlySpan<byte> buffer, out int errno)
    {
        nint sent = SendTo(fd, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length, NoSignal | DontWait);
        errno = sent < 0 ? Marshal.GetLastPInvokeError() : 0;
        return (int)sent;
    }

    /// <summary>Adds one to an eventfd's counter (wakes the loop that waits on it).</summary>
    public static void Signal(int eventFd)
    {
        ulong one = 1;
        Span<byte> value = stackalloc byte[8];
        MemoryMarshal.Write(value, in one);
        _ = Write(eventFd, ref MemoryMarshal.GetReference(value), 8);
    }

    /// <summary>Resets an eventfd's counter.</summary>
    public static void Drain(int eventFd)
    {
        Span<byte> value = stackalloc byte[8];
        _ = Read(eventFd, ref MemoryMarshal.GetReference(value), 8);
    }

    [DllImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static extern int EpollCreate(int flags);

    [DllImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static extern int EpollControl(int epoll, int operation, int fd, ref byte ev);

    [DllImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static extern int EpollWait(int epoll, ref byte events, int maxEvents, int timeoutMs);

    [DllImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static extern int EventFd(uint initialValue, int flags);

    [DllImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static extern nint Recv(int fd, ref byte buffer, nuint length, int flags);

    [DllImport("libc", EntryPoint = "send", SetLastError = true)]
    private static extern nint SendTo(int fd, ref byte buffer, nuint length, int flags);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    private static extern nint Read(int fd, ref byte buffer, nuint length);

    [DllImport("libc", EntryPoint = "write", SetLastError = true)]
    private static extern nint Write(int fd, ref byte buffer, nuint length);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    public static extern int CloseDescriptor(int fd);
}
