using Kong.Pdk.Pdk;

namespace Kong.Pdk.Server;

/// <summary>The PDK modules of an event, created on first use.</summary>
internal sealed partial class KongEvent
{
    private KongRequest? _request;
    private KongResponse? _response;
    private KongLog? _log;

    public KongRequest Request => _request ??= new KongRequest(this);

    public KongResponse Response => _response ??= new KongResponse(this);

    public KongLog Log => _log ??= new KongLog(this);
}
