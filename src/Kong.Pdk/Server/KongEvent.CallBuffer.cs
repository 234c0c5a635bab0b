using System.Buffers;

namespace Kong.Pdk.Server;

/// <summary>
/// The buffer a PDK call is encoded into before it is written to the connection (so that a failure while encoding
/// arguments can never leave half a message on the wire). It is the event itself, over an array rented from the
/// shared pool on first use and returned when the handler ends: no allocation per call or per event.
/// </summary>
internal sealed partial class KongEvent : IBufferWriter<byte>
{
    private byte[] _tx = [];
    private int _txLength;

    private ReadOnlySpan<byte> EncodedCall => _tx.AsSpan(0, _txLength);

    private void ResetCallBuffer() => _txLength = 0;

    void IBufferWriter<byte>.Advance(int count) => _txLength += count;

    Memory<byte> IBufferWriter<byte>.GetMemory(int sizeHint)
    {
        EnsureCapacity(sizeHint);
        return _tx.AsMemory(_txLength);
    }

    Span<byte> IBufferWriter<byte>.GetSpan(int sizeHint)
    {
        EnsureCapacity(sizeHint);
        return _tx.AsSpan(_txLength);
    }

    private void EnsureCapacity(int sizeHint)
    {
        if (sizeHint < 1) sizeHint = 1;
        if (_tx.Length - _txLength >= sizeHint) return;
        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(Math.Max(_tx.Length * 2, _txLength + sizeHint), 256));
        _tx.AsSpan(0, _txLength).CopyTo(larger);
        if (_tx.Length > 0) ArrayPool<byte>.Shared.Return(_tx);
        _tx = larger;
    }

    /// <summary>Returns the pooled buffers; called once the handler has ended and the event is finished.</summary>
    private void ReturnBuffers()
    {
        if (_rx.Length > 0) ArrayPool<byte>.Shared.Return(_rx);
        if (_tx.Length > 0) ArrayPool<byte>.Shared.Return(_tx);
        _rx = [];
        _tx = [];
        _txLength = 0;
    }
}
