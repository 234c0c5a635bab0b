namespace Kong.Pdk.Server;

/// <summary>How an event ended, as the <c>kong.pdk.event.outcome</c> attribute of its span and metrics
/// (docs/observability.md).</summary>
internal enum EventOutcome
{
    /// <summary>The handler returned: "ret".</summary>
    Ok,

    /// <summary>The handler called <c>kong.response.exit</c> or <c>error</c>.</summary>
    Exit,

    /// <summary>The handler threw: the failure policy answered (a 500 when failing closed in a request phase).</summary>
    PluginError,

    /// <summary>The handler passed its deadline: the failure policy answered and its token was cancelled.</summary>
    Deadline,

    /// <summary>Kong sent no step within the event idle timeout.</summary>
    Idle,

    /// <summary>Abandoned while waiting for a step, to make room under the event limits.</summary>
    Evicted,

    /// <summary>Still waiting for a step when the server shut down.</summary>
    Shutdown,
}
