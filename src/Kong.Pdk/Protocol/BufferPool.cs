using System.Buffers;

namespace Kong.Pdk.Protocol;

/// <summary>
/// Byte arrays for messages: up to <see cref="PooledMax"/> from <see cref="ArrayPool{T}.Shared"/> (no allocation in
/// steady state), larger ones allocated and left to the GC when returned. The shared pool keeps what it is given
/// (per core), so pooling the rare multi-megabyte message would hold its memory for good after a burst.
/// </summary>
internal static class BufferPool
{
    /// <summary>The largest array that is pooled: 1 MiB.</summary>
    public const int PooledMax = 1 << 20;

    public static byte[] Rent(int minimumLength)
        => minimumLength <= PooledMax ? ArrayPool<byte>.Shared.Rent(minimumLength) : GC.AllocateUninitializedArray<byte>(minimumLength);

    /// <summary>The length <see cref="Rent"/> returns for <paramref name="minimumLength"/> (for memory accounting).</summary>
    public static int RentedLength(int minimumLength)
        => minimumLength is > 16 and <= PooledMax ? (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)minimumLength) : Math.Max(minimumLength, 16);

    public static void Return(byte[] array)
    {
        if (array.Length is > 0 and <= PooledMax) ArrayPool<byte>.Shared.Return(array);
    }
}
