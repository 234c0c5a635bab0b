using System.Globalization;

namespace Kong.Pdk.Testing;

/// <summary>Handles one PDK call in the fake Kong. Returns the result (null for nil, written without
/// <c>Data</c>); see <see cref="MsgPackValue"/> for how values are written.</summary>
public delegate object? FakePdkHandler(FakePdkCall call);

/// <summary>One PDK function of the fake Kong.</summary>
/// <param name="Method">The dotted name, e.g. <c>kong.request.get_header</c>.</param>
/// <param name="Phases">Where Kong allows it; a call elsewhere fails the run with the phase.</param>
/// <param name="Handler">Reads the arguments and the state, returns the result.</param>
/// <param name="StepMethod">The step method Kong answers with (<c>plugin.Step</c>, <c>plugin.StepMultiMap</c>, ...).</param>
/// <param name="Terminal">True for <c>exit</c>/<c>error</c>: Kong sends nothing more for the event.</param>
public sealed record FakePdkFunction(string Method, PdkPhaseSet Phases, FakePdkHandler Handler, string StepMethod = "plugin.Step", bool Terminal = false);

/// <summary>A PDK call being served: its arguments and the request state.</summary>
public sealed class FakePdkCall
{
    internal FakePdkCall(string method, IReadOnlyList<object?> args, FakeKongState state)
    {
        Method = method;
        Args = args;
        State = state;
    }

    /// <summary>The PDK function.</summary>
    public string Method { get; }

    /// <summary>The decoded arguments.</summary>
    public IReadOnlyList<object?> Args { get; }

    /// <summary>The request state.</summary>
    public FakeKongState State { get; }

    /// <summary>The phase.</summary>
    public KongPhase Phase => State.Phase;

    /// <summary>Argument <paramref name="index"/>, or null when absent.</summary>
    public object? Arg(int index) => index < Args.Count ? Args[index] : null;

    /// <summary>A string argument (bin is decoded as UTF-8); null when absent or nil.</summary>
    public string? String(int index) => Arg(index) switch
    {
        null => null,
        string s => s,
        byte[] b => System.Text.Encoding.UTF8.GetString(b),
        object o => Fail($"argument #{index + 1} must be a string, got {MsgPackValue.ToJson(o)}"),
    };

    /// <summary>A required string argument.</summary>
    public string RequiredString(int index) => String(index) ?? Fail($"argument #{index + 1} (a string) is missing");

    /// <summary>An integer argument (an integral float is accepted, as in Lua); null when absent or nil.</summary>
    public long? Int(int index) => Arg(index) switch
    {
        null => null,
        long l => l,
        ulong u => (long)u,
        double d when Math.Floor(d) == d => (long)d,
        string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long parsed) => parsed,
        object o => Fail<long?>($"argument #{index + 1} must be an integer, got {MsgPackValue.ToJson(o)}"),
    };

    /// <summary>A required integer argument.</summary>
    public long RequiredInt(int index) => Int(index) ?? Fail<long>($"argument #{index + 1} (a number) is missing");

    /// <summary>A map argument; an empty array counts as an empty map (as Kong sends it). Null when absent.</summary>
    public Dictionary<string, object?>? Map(int index) => Arg(index) switch
    {
        null => null,
        Dictionary<string, object?> map => map,
        List<object?> { Count: 0 } => new Dictionary<string, object?>(),
        object o => Fail<Dictionary<string, object?>>($"argument #{index + 1} must be a table, got {MsgPackValue.ToJson(o)}"),
    };

    /// <summary>Bytes of a str or bin argument; null when absent.</summary>
    public byte[]? Bytes(int index) => Arg(index) switch
    {
        null => null,
        byte[] b => b,
        string s => System.Text.Encoding.UTF8.GetBytes(s),
        object o => Fail<byte[]>($"argument #{index + 1} must be a string, got {MsgPackValue.ToJson(o)}"),
    };

    /// <summary>Fails the run as a Lua error in this PDK function would (Kong abandons the event).</summary>
    public string Fail(string message) => Fail<string>(message);

    /// <summary>Fails the run as a Lua error in this PDK function would (Kong abandons the event).</summary>
    public T Fail<T>(string message)
        => throw new KongTestException($"{Method} in the {Phase.ToWireName()} phase: {message} (Kong raises a Lua error here)") { Method = Method, Phase = Phase };
}

/// <summary>
/// The fake Kong's PDK: a table from method name to <see cref="FakePdkFunction"/>. <see cref="CreateDefault"/>
/// holds every function of kong-protocol.md §6.4; a test can replace or add entries
/// (<c>host.Pdk.Register("kong.x.y", PdkPhaseSet.All, call =&gt; ...)</c>), or remove one to see how the plugin copes.
/// </summary>
public sealed partial class FakePdk
{
    private readonly Dictionary<string, FakePdkFunction> _functions = new(StringComparer.Ordinal);

    /// <summary>An empty table.</summary>
    public FakePdk() { }

    /// <summary>The registered functions.</summary>
    public IReadOnlyCollection<FakePdkFunction> Functions => _functions.Values;

    /// <summary>Adds or replaces a function.</summary>
    public FakePdk Register(FakePdkFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        _functions[function.Method] = function;
        return this;
    }

    /// <summary>Adds or replaces a function.</summary>
    public FakePdk Register(string method, PdkPhaseSet phases, FakePdkHandler handler, string stepMethod = "plugin.Step")
        => Register(new FakePdkFunction(method, phases, handler, stepMethod));

    /// <summary>Replaces the handler of an existing function, keeping its phases and step method.</summary>
    /// <exception cref="KeyNotFoundException">No such function.</exception>
    public FakePdk Override(string method, FakePdkHandler handler)
    {
        FakePdkFunction existing = _functions.TryGetValue(method, out FakePdkFunction? f) ? f : throw new KeyNotFoundException(method);
        _functions[method] = existing with { Handler = handler };
        return this;
    }

    /// <summary>Removes a function; calling it then fails the run as unimplemented.</summary>
    public bool Remove(string method) => _functions.Remove(method);

    /// <summary>Finds a function.</summary>
    public bool TryGet(string method, out FakePdkFunction function)
    {
        bool found = _functions.TryGetValue(method, out FakePdkFunction? f);
        function = f!;
        return found;
    }

    /// <summary>A table with every function of the catalogue (kong-protocol.md §6.4).</summary>
    public static FakePdk CreateDefault()
    {
        var pdk = new FakePdk();
        pdk.AddClient();
        pdk.AddCtxNodeIpPluginCluster();
        pdk.AddLog();
        pdk.AddNginx();
        pdk.AddRequest();
        pdk.AddResponse();
        pdk.AddRouterService();
        pdk.AddServiceRequest();
        pdk.AddServiceResponse();
        pdk.AddVaultTelemetry();
        return pdk;
    }

    private void Add(string method, PdkPhaseSet phases, FakePdkHandler handler, string step = "plugin.Step")
        => _functions[method] = new FakePdkFunction(method, phases, handler, step);
}
