namespace Kong.Pdk.Server;

/// <summary>Where an event's PDK module object is kept in <see cref="EventCore"/> (created on first use per event).</summary>
internal enum ModuleSlot
{
    Request,
    Response,
    Log,
    Client,
    Ctx,
    Ip,
    Nginx,
    Node,
    Plugin,
    Cluster,
    Router,
    Service,
    Vault,
    Telemetry,
}
