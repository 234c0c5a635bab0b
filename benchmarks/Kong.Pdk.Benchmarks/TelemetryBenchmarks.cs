using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Kong.Pdk.Hosting;

namespace Kong.Pdk.Benchmarks;

/// <summary>What an OpenTelemetry SDK attaches, without the SDK's own work: an <see cref="ActivityListener"/> that
/// samples every <c>Kong.Pdk</c> span and a <see cref="MeterListener"/> on every <c>Kong.Pdk</c> instrument whose
/// callbacks do nothing. The difference from <see cref="RoundTripBenchmarks"/> is the server's cost of being
/// observed; an exporter adds its own (docs/observability.md).</summary>
public sealed class TelemetryListeners : IDisposable
{
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters;

    public TelemetryListeners()
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == KongDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_activities);
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == KongDiagnostics.MeterName) listener.EnableMeasurementEvents(instrument);
            },
        };
        _meters.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        _meters.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        _meters.Start();
    }

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
    }
}

/// <summary><see cref="RoundTripBenchmarks"/> with <see cref="TelemetryListeners"/> attached: every event traced
/// and measured.</summary>
[MemoryDiagnoser]
public class TelemetryRoundTripBenchmarks
{
    private InProcessKong _kong = null!;
    private TelemetryListeners _listeners = null!;

    [GlobalSetup]
    public void Setup()
    {
        _listeners = new TelemetryListeners();
        _kong = new InProcessKong();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _kong.Dispose();
        _listeners.Dispose();
    }

    [Benchmark(Description = "traced: HelloPlugin event (3 round trips)")]
    public int HelloEvent() => _kong.RunEvent(_kong.HelloInstance);

    [Benchmark(Description = "traced: 1 set_header event (2 round trips)")]
    public int OneCallEvent() => _kong.RunEvent(_kong.OneCallInstance);

    [Benchmark(Description = "traced: 10 set_header event (11 round trips)")]
    public int TenCallEvent() => _kong.RunEvent(_kong.TenCallInstance);
}
