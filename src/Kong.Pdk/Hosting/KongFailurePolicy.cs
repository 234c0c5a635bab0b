namespace Kong.Pdk.Hosting;

/// <summary>What the server does when a handler throws, or passes its deadline, in a request phase
/// (rewrite, access, response).</summary>
public enum KongFailurePolicy
{
    /// <summary>Log the exception, then end the request with <c>kong.response.error(500)</c>. The default:
    /// Kong itself lets a request through when a plugin server reports an error.</summary>
    FailClosed = 0,

    /// <summary>Log the exception and end the event normally; the request continues through Kong.</summary>
    FailOpen = 1,
}
