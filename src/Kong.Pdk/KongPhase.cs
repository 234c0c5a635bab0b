namespace Kong.Pdk;

/// <summary>
/// The request phases in which Kong can run an external plugin. Kong sends the phase as the event name of
/// <c>plugin.HandleEvent</c>; the wire names are the lower-case member names (<c>access</c>, <c>log</c>, ...).
/// </summary>
/// <remarks>
/// <c>header_filter</c>, <c>body_filter</c>, <c>init_worker</c> and <c>configure</c> cannot be served by an
/// external plugin and do not exist here; use <see cref="Response"/> together with
/// <c>kong.Response.ExitAsync</c> to change a response.
/// </remarks>
public enum KongPhase
{
    /// <summary>TLS handshake (global plugins only); <c>certificate</c> on the wire.</summary>
    Certificate = 0,

    /// <summary>Before routing (global plugins only); <c>rewrite</c> on the wire.</summary>
    Rewrite = 1,

    /// <summary>Before the request is proxied; <c>access</c> on the wire.</summary>
    Access = 2,

    /// <summary>After the whole upstream response was buffered; <c>response</c> on the wire. Declaring it turns
    /// on buffered proxying for every request the plugin runs on.</summary>
    Response = 3,

    /// <summary>Stream (TCP/TLS) connections, before proxying; <c>preread</c> on the wire.</summary>
    Preread = 4,

    /// <summary>After the response was sent, in a timer on saved data; <c>log</c> on the wire.</summary>
    Log = 5,
}
