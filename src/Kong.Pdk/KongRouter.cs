using Kong.Pdk.Pdk;
using Kong.Pdk.Server;
using MessagePack;

namespace Kong.Pdk;

/// <summary><c>kong.router</c>: the route and service the request matched.</summary>
public sealed class KongRouter
{
    private readonly KongEvent _event;

    internal KongRouter(KongEvent ev) => _event = ev;

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
