using Kong.Pdk.Protocol;
using MessagePack;

namespace Kong.Pdk.Server;

/// <summary>
/// The event's buffers: the one a PDK call is encoded into before it is written to the connection, so that a
/// failure while encoding arguments can never leave half a message on the wire, and the one Kong's step data is
/// copied into. Their arrays come from <see cref="BufferPool"/> and are returned when the handler has ended and the
/// event is finished: no allocation per call. The step data buffer is charged to the <see cref="MemoryBudget"/>.
/// </summary>
internal sealed partial class EventCore
{
    /// <summary>The error a PDK call fails with when its result does not fit the memory budget (a MessagePack string).</summary>
    private static readonly ReadOnlyMemory<byte> OverBudgetError = EncodeString("the result does not fit the plugin server's memory budget");

    private PooledBufferWriter? _call;
    private long _rxCharge;

    private ReadOnlySpan<byte> EncodedCall => _call is null ? default : _call.WrittenSpan;

    private PooledBufferWriter ResetCallBuffer()
    {
        _call ??= new PooledBufferWriter();
        _call.Clear();
        return _call;
    }

    /// <summary>Makes the step data buffer hold at least <paramref name="length"/> bytes, within the memory budget;
    /// false (buffer unchanged) when the budget refuses. Caller holds the lock.</summary>
    private bool EnsureReceiveCapacity(int length)
    {
        if (_rx.Length >= length) return true;
        int wanted = Math.Max(length, 256);
        long capacity = BufferPool.RentedLength(wanted);
        if (!_server.Memory.TryReserve(capacity - _rxCharge)) return false;
        BufferPool.Return(_rx);
        _rx = BufferPool.Rent(wanted);
        _rxCharge = capacity;
        return true;
    }

    /// <summary>Returns the buffers and releases their charge; called once the handler has ended and the event is
    /// finished. Caller holds the lock.</summary>
    private void ReturnBuffers()
    {
        Volatile.Write(ref _readToken, _pending.Version); // a call's task kept past the handler reads nothing from _rx now
        BufferPool.Return(_rx);
        _rx = [];
        _server.Memory.Release(_rxCharge);
        _rxCharge = 0;
        _call?.Dispose();
    }

    private static byte[] EncodeString(string text)
    {
        var output = new PooledBufferWriter();
        var writer = new MessagePackWriter(output);
        writer.Write(text);
        writer.Flush();
        byte[] bytes = output.WrittenSpan.ToArray();
        output.Dispose();
        return bytes;
    }
}
