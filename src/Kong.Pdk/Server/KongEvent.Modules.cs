using System.Text;
using Kong.Pdk.Pdk;
using MessagePack;

namespace Kong.Pdk.Server;

/// <summary>The PDK modules of an event, created on first use, and the generic call.</summary>
internal sealed partial class KongEvent
{
    private KongRequest? _request;
    private KongResponse? _response;
    private KongLog? _log;
    private KongClient? _client;
    private KongCtx? _ctx;
    private KongIp? _ip;
    private KongNginx? _nginx;
    private KongNode? _node;
    private KongPluginModule? _plugin;
    private KongCluster? _cluster;
    private KongRouter? _router;
    private KongService? _service;
    private KongVault? _vault;
    private KongTelemetry? _telemetry;

    public KongRequest Request => _request ??= new KongRequest(this);

    public KongResponse Response => _response ??= new KongResponse(this);

    public KongLog Log => _log ??= new KongLog(this);

    public KongClient Client => _client ??= new KongClient(this);

    public KongCtx Ctx => _ctx ??= new KongCtx(this);

    public KongIp Ip => _ip ??= new KongIp(this);

    public KongNginx Nginx => _nginx ??= new KongNginx(this);

    public KongNode Node => _node ??= new KongNode(this);

    public KongPluginModule Plugin => _plugin ??= new KongPluginModule(this);

    public KongCluster Cluster => _cluster ??= new KongCluster(this);

    public KongRouter Router => _router ??= new KongRouter(this);

    public KongService Service => _service ??= new KongService(this);

    public KongVault Vault => _vault ??= new KongVault(this);

    public KongTelemetry Telemetry => _telemetry ??= new KongTelemetry(this);

    public ValueTask<KongValue> CallAsync(string method, params KongValue[] args) => CallAsync(method, args, default);

    public ValueTask<KongValue> CallAsync(string method, KongValue[] args, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(args);
        int count = PdkWrite.CountArgs(args, method, nameof(args));
        // The escape hatch is not on the hot path: the name is encoded per call. Kong checks phases itself.
        MessagePackWriter writer = BeginCall(Encoding.UTF8.GetBytes(method), count, PdkPhases.All, cancellationToken);
        for (int i = 0; i < count; i++) args[i].WriteTo(ref writer);
        return PdkDecode.ValueAsync(SendCallAsync(ref writer));
    }
}
