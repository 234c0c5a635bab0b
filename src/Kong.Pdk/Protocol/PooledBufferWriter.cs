using System.Buffers;

namespace Kong.Pdk.Protocol;

/// <summary>
/// A growable <see cref="IBufferWriter{T}"/> over arrays from <see cref="BufferPool"/>. Reused message after message
/// (<see cref="Clear"/>), so steady-state writing allocates nothing; an array grown past
/// <see cref="BufferPool.PooledMax"/> for one large message is let go at the next <see cref="Clear"/>, so its memory
/// goes back after the burst. <see cref="Dispose"/> returns the array.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = [];
    private int _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public int WrittenCount => _length;

    public void Clear()
    {
        _length = 0;
        if (_buffer.Length > BufferPool.PooledMax) _buffer = [];
    }

    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _length)) throw new ArgumentOutOfRangeException(nameof(count));
        _length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureCapacity(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureCapacity(sizeHint);
        return _buffer.AsSpan(_length);
    }

    private void EnsureCapacity(int sizeHint)
    {
        if (sizeHint < 1) sizeHint = 1;
        if (_buffer.Length - _length >= sizeHint) return;
        byte[] larger = BufferPool.Rent(Math.Max(Math.Max(_buffer.Length * 2, _length + sizeHint), 256));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        BufferPool.Return(_buffer);
        _buffer = larger;
    }

    public void Dispose()
    {
        BufferPool.Return(_buffer);
        _buffer = [];
        _length = 0;
    }
}
