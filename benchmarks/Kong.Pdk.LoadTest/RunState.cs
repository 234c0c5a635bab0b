namespace Kong.Pdk.LoadTest;

/// <summary>What the clients share with the main thread: the phase, the event and error counts, a few error
/// samples. Every event completion is one interlocked increment; nothing else is shared per event.</summary>
internal sealed class RunState(long count, bool warmUp)
{
    public const int Warmup = 0, Measure = 1, Stop = 2;

    private readonly List<string> _errorSamples = [];
    private int _phase = warmUp ? Warmup : Measure;
    private long _measured;
    private long _warm;
    private long _errors;

    public int Phase => Volatile.Read(ref _phase);

    public long Measured => Volatile.Read(ref _measured);

    public long Warm => Volatile.Read(ref _warm);

    public long Errors => Volatile.Read(ref _errors);

    public IReadOnlyList<string> ErrorSamples
    {
        get
        {
            lock (_errorSamples) return [.. _errorSamples];
        }
    }

    public void SetPhase(int phase) => Volatile.Write(ref _phase, phase);

    /// <summary>An event finished without error: counted, and its latency recorded when it was started while
    /// measuring. Stops the run when the requested number of events is reached.</summary>
    public void EventDone(bool measuring, long ns, Histogram events)
    {
        if (measuring && Phase != Warmup)
        {
            events.Record(ns);
            long n = Interlocked.Increment(ref _measured);
            if (count > 0 && n >= count) SetPhase(Stop);
        }
        else
        {
            Interlocked.Increment(ref _warm);
        }
    }

    /// <summary>An event failed (wrong answer, RPC error, I/O failure): counted; stops the run when over 1,000
    /// errors come before any event succeeded (nothing works).</summary>
    public void EventFailed(string error)
    {
        long errors = Interlocked.Increment(ref _errors);
        if (errors <= 5)
        {
            lock (_errorSamples)
            {
                if (_errorSamples.Count < 5) _errorSamples.Add(error);
            }
        }

        if (errors > 1000 && Measured + Warm == 0) SetPhase(Stop);
    }
}
