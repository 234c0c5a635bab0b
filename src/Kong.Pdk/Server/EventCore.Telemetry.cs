using System.Diagnostics;
using Kong.Pdk.Pdk;

namespace Kong.Pdk.Server;

/// <summary>
/// The event's span and metrics (<see cref="ServerTelemetry"/>, <see cref="ServerMeters"/>, docs/observability.md). Their state lives in an
/// <see cref="Observation"/> created at the start only when a listener is attached: while nobody listens, an event
/// takes no timestamp, allocates nothing here, and its handler runs exactly as before.
/// </summary>
internal sealed partial class EventCore
{
    private Observation? _observed;

    /// <summary>What the telemetry of one observed event keeps.</summary>
    private sealed class Observation
    {
        public bool Traced;
        public Activity? Activity;
        public Activity? CallActivity;
        public long StartedAt;
        public long CallStartedAt;
        public bool CountedActive;
        public bool FailedClosed;
        public EventOutcome Outcome;
        public string? ErrorType;
    }

    /// <summary>At <see cref="Start"/>: observes the event when a tracer or an event instrument listens.</summary>
    private void StartTelemetry()
    {
        bool traced = ServerTelemetry.Source.HasListeners();
        ServerMeters meters = _server.Meters;
        bool active = meters.ActiveEvents.Enabled;
        if (!traced && !active && !meters.EventDuration.Enabled && !meters.Events.Enabled
            && !meters.CallDuration.Enabled && !meters.FailClosed.Enabled && !meters.Abandoned.Enabled)
        {
            return;
        }

        var observed = new Observation { Traced = traced, StartedAt = Stopwatch.GetTimestamp(), CountedActive = active };
        if (active) meters.ActiveEvents.Add(1, ServerTelemetry.PluginTags(Instance.Descriptor, Phase));
        _observed = observed;
    }

    /// <summary>The handler, inside the event's span: reads the client's trace context first when
    /// <see cref="Hosting.KongServerOptions.ContinueRequestTrace"/>, then starts the span on this flow, so that it
    /// is the handler's current activity (the handler's own activities, an HttpClient call for example, are its
    /// children).</summary>
    private async ValueTask RunTracedAsync(Observation observed)
    {
        bool readTraceParent = _server.Options.ContinueRequestTrace;
        ActivityContext parent = readTraceParent ? await ReadTraceParentAsync().ConfigureAwait(false) : default;
        StartActivity(observed, parent, startedEarlier: readTraceParent);
        await Instance.Handler.InvokeAsync(Phase, _handle, _cts.Token).ConfigureAwait(false);
    }

    /// <summary>Reads the client's W3C <c>traceparent</c> request header (one PDK round trip) in the phases where Kong
    /// serves it; default when it is absent, malformed or Kong refuses the call.</summary>
    private async ValueTask<ActivityContext> ReadTraceParentAsync()
    {
        if (Phase is not (KongPhase.Rewrite or KongPhase.Access or KongPhase.Response or KongPhase.Log)) return default;
        string? traceParent;
        try
        {
            traceParent = await _handle.Request.GetHeaderAsync("traceparent", _cts.Token).ConfigureAwait(false);
        }
        catch (KongPdkException)
        {
            return default;
        }

        return traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out ActivityContext context)
            ? context
            : default;
    }

    private void StartActivity(Observation observed, ActivityContext parent, bool startedEarlier)
    {
        string name = ServerTelemetry.SpanName(Instance.Descriptor, Phase);
        DateTimeOffset startTime = startedEarlier ? DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(observed.StartedAt) : default;
        Activity? activity = ServerTelemetry.Source.StartActivity(name, ActivityKind.Server, parent, tags: null, links: null, startTime);
        if (activity is null) return;
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(ServerTelemetry.PluginName, Instance.Descriptor.Name);
            activity.SetTag(ServerTelemetry.Phase, Phase.ToWireName());
            activity.SetTag(ServerTelemetry.InstanceId, Instance.Id);
            activity.SetTag(ServerTelemetry.EventId, Id);
        }

        lock (_sync)
        {
            if (_state != Finished)
            {
                observed.Activity = activity;
                return;
            }
        }

        // Ended meanwhile (a deadline, an abandonment): the span ends now, with the outcome already decided.
        StopActivity(observed, activity);
    }

    /// <summary>Before a PDK call goes out (caller holds the lock): its start time, and its span when
    /// <see cref="Hosting.KongServerOptions.TracePdkCalls"/>.</summary>
    private void StartCallTelemetry(Observation observed)
    {
        Activity? parent = observed.Activity;
        if (parent is not null && _server.Options.TracePdkCalls)
        {
            Activity? previous = Activity.Current;
            string method = ServerTelemetry.MethodName(_currentMethod);
            Activity? call = ServerTelemetry.Source.StartActivity(method, ActivityKind.Client, parent.Context);
            Activity.Current = previous; // the call's span is not the handler's current activity
            if (call is not null)
            {
                if (call.IsAllDataRequested) call.SetTag(ServerTelemetry.Method, method);
                observed.CallActivity = call;
            }
        }

        observed.CallStartedAt = Stopwatch.GetTimestamp();
    }

    /// <summary>Kong's step for the call arrived (<see cref="Resume"/>).</summary>
    private void EndCallTelemetry(Observation observed, PdkResultKind kind)
    {
        long startedAt = observed.CallStartedAt;
        observed.CallStartedAt = 0;
        if (startedAt != 0 && _server.Meters.CallDuration.Enabled)
        {
            _server.Meters.CallDuration.Record(
                Stopwatch.GetElapsedTime(startedAt).TotalSeconds,
                new KeyValuePair<string, object?>(ServerTelemetry.PluginName, Instance.Descriptor.Name),
                new KeyValuePair<string, object?>(ServerTelemetry.Method, ServerTelemetry.MethodName(_currentMethod)));
        }

        Activity? call = Interlocked.Exchange(ref observed.CallActivity, null);
        if (call is not null)
        {
            if (kind == PdkResultKind.Error) call.SetStatus(ActivityStatusCode.Error, "Kong answered the call with an error");
            call.Stop();
        }
    }

    /// <summary>After the event finished (once, by whoever finished it, outside the lock): its metrics and the end
    /// of its span.</summary>
    private void EndTelemetry()
    {
        Observation? observed = _observed;
        if (observed is null) return;
        EventOutcome outcome = observed.Outcome;
        if (observed.CountedActive)
        {
            observed.CountedActive = false;
            _server.Meters.ActiveEvents.Add(-1, ServerTelemetry.PluginTags(Instance.Descriptor, Phase));
        }

        if (_server.Meters.Events.Enabled) _server.Meters.Events.Add(1, ServerTelemetry.OutcomeTags(Instance.Descriptor, Phase, outcome));
        if (_server.Meters.EventDuration.Enabled)
        {
            _server.Meters.EventDuration.Record(Stopwatch.GetElapsedTime(observed.StartedAt).TotalSeconds, ServerTelemetry.OutcomeTags(Instance.Descriptor, Phase, outcome));
        }

        if (observed.FailedClosed && _server.Meters.FailClosed.Enabled) _server.Meters.FailClosed.Add(1, ServerTelemetry.OutcomeTags(Instance.Descriptor, Phase, outcome));
        if (outcome is EventOutcome.Deadline or EventOutcome.Idle or EventOutcome.Evicted or EventOutcome.Shutdown && _server.Meters.Abandoned.Enabled)
        {
            _server.Meters.Abandoned.Add(1, ServerTelemetry.OutcomeTags(Instance.Descriptor, Phase, outcome));
        }

        Activity? call = Interlocked.Exchange(ref observed.CallActivity, null);
        if (call is not null)
        {
            call.SetStatus(ActivityStatusCode.Error, "the event ended before Kong answered");
            call.Stop();
        }

        Activity? activity = Interlocked.Exchange(ref observed.Activity, null);
        if (activity is not null) StopActivity(observed, activity);
    }

    private static void StopActivity(Observation observed, Activity activity)
    {
        EventOutcome outcome = observed.Outcome;
        string outcomeName = ServerTelemetry.OutcomeName(outcome);
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(ServerTelemetry.Outcome, outcomeName);
            if (observed.FailedClosed) activity.SetTag(ServerTelemetry.FailedClosed, true);
        }

        if (outcome is not (EventOutcome.Ok or EventOutcome.Exit))
        {
            activity.SetTag(ServerTelemetry.ErrorType, observed.ErrorType ?? outcomeName);
            activity.SetStatus(ActivityStatusCode.Error, outcomeName);
        }

        activity.Stop();
    }
}
