namespace Kong.Pdk.Tests;

/// <summary>A clock in milliseconds that stands still until a test moves it, for
/// <see cref="Kong.Pdk.Server.PluginServer.NowMs"/>; <see cref="Now"/> is what the server takes.</summary>
internal sealed class ManualClock
{
    private long _nowMs = Environment.TickCount64;

    public long Now() => Interlocked.Read(ref _nowMs);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _nowMs, (long)by.TotalMilliseconds);
}
