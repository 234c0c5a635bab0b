using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Kong.Pdk.Hosting;

namespace Kong.Pdk.Tests;

/// <summary>Listens to the server's <see cref="ActivitySource"/> and <see cref="Meter"/> the way an OpenTelemetry SDK
/// would (<see cref="ActivityListener"/>, <see cref="MeterListener"/>) and keeps what they report.</summary>
internal sealed class TelemetryRecorder : IDisposable
{
    private readonly ActivityListener? _activities;
    private readonly MeterListener? _meters;

    public TelemetryRecorder(bool traces = true, bool metrics = true)
    {
        if (traces)
        {
            _activities = new ActivityListener
            {
                ShouldListenTo = source => source.Name == KongDiagnostics.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = Spans.Enqueue,
            };
            ActivitySource.AddActivityListener(_activities);
        }

        if (metrics)
        {
            _meters = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Name == KongDiagnostics.MeterName) listener.EnableMeasurementEvents(instrument);
                },
            };
            _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
            _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
            _meters.Start();
        }
    }

    public ConcurrentQueue<Activity> Spans { get; } = new();

    public ConcurrentQueue<Measurement> Measurements { get; } = new();

    public sealed record Measurement(string Instrument, string? Unit, double Value, Dictionary<string, object?> Tags)
    {
        public object? this[string tag] => Tags.GetValueOrDefault(tag);
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var map = new Dictionary<string, object?>();
        foreach (KeyValuePair<string, object?> tag in tags) map[tag.Key] = tag.Value;
        Measurements.Enqueue(new Measurement(instrument.Name, instrument.Unit, value, map));
    }

    /// <summary>The measurements of <paramref name="instrument"/> whose <c>kong.plugin.name</c> is <paramref name="plugin"/>
    /// (or all of them when null).</summary>
    public List<Measurement> Of(string instrument, string? plugin = null)
        => Measurements.Where(m => m.Instrument == instrument && (plugin is null || Equals(m["kong.plugin.name"], plugin))).ToList();

    public List<Activity> SpansOf(string plugin)
        => Spans.Where(a => Equals(a.GetTagItem("kong.plugin.name"), plugin)).ToList();

    /// <summary>Reads the observable instruments now.</summary>
    public void Observe() => _meters?.RecordObservableInstruments();

    public void Dispose()
    {
        _activities?.Dispose();
        _meters?.Dispose();
    }
}
