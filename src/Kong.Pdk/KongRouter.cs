using Kong.Pdk.Pdk;
using Kong.Pdk.Server;
using MessagePack;

namespace Kong.Pdk;

/// <summary><c>kong.router</c>: the route and service the request matched.
/// A view of the event's PDK, from <see cref="IKong"/>: copying it is free; it is valid only while the handler runs.</summary>
public readonly struct KongRouter
{
    private readonly KongEvent? _handle;

    internal KongRouter(KongEvent ev) => _handle = ev;

    /// <summary>The event's handle, through which every member reaches Kong; a default value (never obtained from
    /// <see cref="IKong"/>) has none and throws <see cref="InvalidOperationException"/>.</summary>
    private KongEvent _event => _handle ?? throw KongEvent.NotObtained(nameof(KongRouter));

    /// <summary><c>kong.router.get_route()</c>: the matched route, or null (for example in a global plugin before
    /// routing). Phases: access, response, log (from the saved context).</summary>
    [KongPhases(KongPhase.Access, KongPhase.Response, KongPhase.Log)]
    public ValueTask<KongRoute?> GetRouteAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.RouterGetRoute, 0, PdkPhases.AccessResponse | PdkPhases.Log, cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.Route);
    }

    /// <summary><c>kong.router.get_service()</c>: the matched route's service, or null. Phases: access, response,
    /// log (from the saved context).</summary>
    [KongPhases(KongPhase.Access, KongPhase.Response, KongPhase.Log)]
    public ValueTask<KongServiceEntity?> GetServiceAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.RouterGetService, 0, PdkPhases.AccessResponse | PdkPhases.Log, cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.Service);
    }
}
