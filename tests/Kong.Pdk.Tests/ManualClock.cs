namespace Kong.Pdk.Tests;

/// <summary>A clock that stands still until a test moves it: timestamps are milliseconds, starting at
/// <see cref="Environment.TickCount64"/> (the scale <see cref="Kong.Pdk.Server.PluginServer.NowMs"/> needs).</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _nowMs = Environment.TickCount64;

    public override long TimestampFrequency => 1000;

    public override long GetTimestamp() => Interlocked.Read(ref _nowMs);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _nowMs, (long)by.TotalMilliseconds);
}
