using System.Numerics;

namespace Kong.Pdk.LoadTest;

/// <summary>
/// A log-linear latency histogram in nanoseconds: exact below 128 ns, then 64 buckets per power of two (about
/// 1.6 % precision) up to ~18 minutes. One per worker thread, merged at the end: recording never contends.
/// </summary>
internal sealed class Histogram
{
    private const int SubBits = 6;
    private const int Sub = 1 << SubBits;
    private readonly long[] _counts = new long[64 * Sub + Sub];

    public long Count { get; private set; }

    public long Max { get; private set; }

    public double SumNs { get; private set; }

    public void Record(long ns)
    {
        if (ns < 0) ns = 0;
        _counts[Index(ns)]++;
        Count++;
        SumNs += ns;
        if (ns > Max) Max = ns;
    }

    public void Add(Histogram other)
    {
        for (int i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        Count += other.Count;
        SumNs += other.SumNs;
        if (other.Max > Max) Max = other.Max;
    }

    /// <summary>The value at quantile <paramref name="q"/> (0..1), as the upper edge of its bucket.</summary>
    public long Percentile(double q)
    {
        if (Count == 0) return 0;
        long rank = (long)Math.Ceiling(q * Count);
        if (rank < 1) rank = 1;
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Math.Min(UpperEdge(i), Max);
        }

        return Max;
    }

    private static int Index(long v)
    {
        if (v < 2 * Sub) return (int)v;
        int msb = 63 - BitOperations.LeadingZeroCount((ulong)v);
        int shift = msb - SubBits;
        return shift * Sub + (int)(v >> shift);
    }

    private static long UpperEdge(int index)
    {
        if (index < 2 * Sub) return index;
        int shift = index / Sub - 1;
        return ((long)(index - shift * Sub) + 1 << shift) - 1;
    }
}
