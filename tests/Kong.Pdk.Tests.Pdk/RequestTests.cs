using static Kong.Pdk.Tests.Pdk.Pdk;

namespace Kong.Pdk.Tests.Pdk;

public sealed class RequestTests
{
    public static TheoryData<string, string> StringGetters => new()
    {
        { "GetScheme", "kong.request.get_scheme" },
        { "GetHost", "kong.request.get_host" },
        { "GetForwardedScheme", "kong.request.get_forwarded_scheme" },
        { "GetForwardedHost", "kong.request.get_forwarded_host" },
        { "GetForwardedPath", "kong.request.get_forwarded_path" },
        { "GetMethod", "kong.request.get_method" },
        { "GetPath", "kong.request.get_path" },
        { "GetRawPath", "kong.request.get_raw_path" },
        { "GetPathWithQuery", "kong.request.get_path_with_query" },
        { "GetRawQuery", "kong.request.get_raw_query" },
    };

    private static ValueTask<string> Invoke(IKong kong, string name) => name switch
    {
        "GetScheme" => kong.Request.GetSchemeAsync(),
        "GetHost" => kong.Request.GetHostAsync(),
        "GetForwardedScheme" => kong.Request.GetForwardedSchemeAsync(),
        "GetForwardedHost" => kong.Request.GetForwardedHostAsync(),
        "GetForwardedPath" => kong.Request.GetForwardedPathAsync(),
        "GetMethod" => kong.Request.GetMethodAsync(),
        "GetPath" => kong.Request.GetPathAsync(),
        "GetRawPath" => kong.Request.GetRawPathAsync(),
        "GetPathWithQuery" => kong.Request.GetPathWithQueryAsync(),
        "GetRawQuery" => kong.Request.GetRawQueryAsync(),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(StringGetters))]
    public async Task StringGetter_SendsNoArgs_DecodesStr(string name, string method)
    {
        Assert.Equal("/headers", await CallAsync(k => Invoke(k, name), method, "90", "a8 2f68656164657273"));
    }

    [Theory]
    [MemberData(nameof(StringGetters))]
    public async Task StringGetter_NilResult_IsEmpty(string name, string method)
    {
        Assert.Equal("", await CallAsync(k => Invoke(k, name), method, "90", null));
    }

    [Theory]
    [MemberData(nameof(StringGetters))]
    public async Task StringGetter_InLog_ThrowsNamingPhase(string name, string method)
    {
        Exception ex = await FailsLocallyAsync(async k => await Invoke(k, name), KongPhase.Log);
        var pdk = Assert.IsType<KongPdkException>(ex);
        Assert.Equal(method, pdk.Method);
        Assert.Contains("log phase", pdk.Message);
        Assert.Contains("rewrite, access, response", pdk.Message);
    }

    [Fact]
    public async Task GetPath_RecordedVector_DecodesStep()
    {
        // access-headers.json seq 20/21: Args [] → Data "/headers".
        Assert.Equal("/headers", await CallAsync(k => k.Request.GetPathAsync(), "kong.request.get_path", "90", "a82f68656164657273"));
    }

    [Fact]
    public async Task GetForwardedPrefix_Nil_IsNull()
    {
        Assert.Null(await CallAsync(k => k.Request.GetForwardedPrefixAsync(), "kong.request.get_forwarded_prefix", "90", null));
        Assert.Equal("/api", await CallAsync(k => k.Request.GetForwardedPrefixAsync(), "kong.request.get_forwarded_prefix", "90", S("/api")));
    }

    [Fact]
    public async Task GetPort_IntOrIntegralFloat()
    {
        Assert.Equal(8000, await CallAsync(k => k.Request.GetPortAsync(), "kong.request.get_port", "90", "cd 1f40"));
        Assert.Equal(443, await CallAsync(k => k.Request.GetPortAsync(), "kong.request.get_port", "90", "cb 407bb00000000000"));
        Assert.Equal(0, await CallAsync(k => k.Request.GetPortAsync(), "kong.request.get_port", "90", null));
    }

    [Fact]
    public async Task GetPort_AllowedInCertificate()
    {
        Assert.Equal(8443, await CallAsync(k => k.Request.GetPortAsync(), "kong.request.get_port", "90", "cd 20fb", KongPhase.Certificate));
    }

    [Fact]
    public async Task GetForwardedPort_Int()
    {
        Assert.Equal(80, await CallAsync(k => k.Request.GetForwardedPortAsync(), "kong.request.get_forwarded_port", "90", "50"));
    }

    [Fact]
    public async Task GetHttpVersion_IntAndFloat()
    {
        // request-info.json: HTTP/1.1 is a float64, HTTP/2 the integer 2, HTTP/1.0 the integer 1.
        Assert.Equal(1.1, await CallAsync(k => k.Request.GetHttpVersionAsync(), "kong.request.get_http_version", "90", "cb 3ff199999999999a"));
        Assert.Equal(2.0, await CallAsync(k => k.Request.GetHttpVersionAsync(), "kong.request.get_http_version", "90", "02"));
        Assert.Equal(1.0, await CallAsync(k => k.Request.GetHttpVersionAsync(), "kong.request.get_http_version", "90", "01"));
    }

    [Fact]
    public async Task GetStartTime_IntOrFloat()
    {
        Assert.Equal(1700000000123.0, await CallAsync(k => k.Request.GetStartTimeAsync(), "kong.request.get_start_time", "90", "cf 0000018bcfe5687b"));
        Assert.Equal(1.5, await CallAsync(k => k.Request.GetStartTimeAsync(), "kong.request.get_start_time", "90", "cb 3ff8000000000000"));
    }

    [Fact]
    public async Task GetQueryArg_StrTrueNil()
    {
        Assert.Equal("1", await CallAsync(k => k.Request.GetQueryArgAsync("a"), "kong.request.get_query_arg", "91 a161", "a131"));
        Assert.Equal("", await CallAsync(k => k.Request.GetQueryArgAsync("flag"), "kong.request.get_query_arg", "91 a4666c6167", "c3"));
        Assert.Null(await CallAsync(k => k.Request.GetQueryArgAsync("x"), "kong.request.get_query_arg", "91 a178", null));
    }

    [Fact]
    public async Task GetQuery_RecordedShapes_CaseSensitiveMultiMap()
    {
        // {a: ["1","2"], flag: [], empty: [""], b: ["x y"], A: ["up"]}; a repeated valueless arg [ "1", true ].
        string data = "85 a161 92 a131 a132 a4666c6167 90 a5656d707479 91 a0 a162 91 a3782079 a141 91 a27570";
        KongMultiMap q = await CallAsync(k => k.Request.GetQueryAsync(), "kong.request.get_query", "90", data, step: "plugin.StepMultiMap");
        Assert.Equal(["1", "2"], q["a"]);
        Assert.Empty(q["flag"]);
        Assert.Equal([""], q["empty"]);
        Assert.Equal(["x y"], q["b"]);
        Assert.Equal(["up"], q["A"]);
        Assert.NotEqual(q["a"], q["A"]);
    }

    [Fact]
    public async Task GetQuery_RepeatedWithTrue_AndEmptyMap()
    {
        KongMultiMap q = await CallAsync(k => k.Request.GetQueryAsync(), "kong.request.get_query", "90", "81 a161 92 a131 c3", step: "plugin.StepMultiMap");
        Assert.Equal(["1"], q["a"]);
        KongMultiMap empty = await CallAsync(k => k.Request.GetQueryAsync(), "kong.request.get_query", "90", "80", step: "plugin.StepMultiMap");
        Assert.Empty(empty);
        KongMultiMap emptyArray = await CallAsync(k => k.Request.GetQueryAsync(), "kong.request.get_query", "90", "90", step: "plugin.StepMultiMap");
        Assert.Empty(emptyArray);
    }

    [Fact]
    public async Task GetQuery_WithMax_SendsIt_AndValidatesRange()
    {
        await CallAsync(k => k.Request.GetQueryAsync(50), "kong.request.get_query", "91 32", "80", step: "plugin.StepMultiMap");
        Assert.IsType<ArgumentOutOfRangeException>(await FailsLocallyAsync(async k => await k.Request.GetQueryAsync(0)));
        Exception ex = await FailsLocallyAsync(async k => await k.Request.GetQueryAsync(1001));
        Assert.IsType<ArgumentOutOfRangeException>(ex);
    }

    [Fact]
    public async Task GetHeader_RecordedVectors_FirstValueAbsentAndNonUtf8()
    {
        // access-headers.json seq 22–29.
        Assert.Equal("one", await CallAsync(k => k.Request.GetHeaderAsync("x-multi"), "kong.request.get_header", "91 a7782d6d756c7469", "a36f6e65"));
        Assert.Null(await CallAsync(k => k.Request.GetHeaderAsync("x-absent"), "kong.request.get_header", "91 a8782d616273656e74", null));
        string bytes = await CallAsync(k => k.Request.GetHeaderAsync("x-bytes"), "kong.request.get_header", "91 a7782d6279746573", "a5fffe806f6b") ?? "";
        Assert.Equal("\uFFFD\uFFFD\uFFFDok", bytes);
    }

    [Fact]
    public async Task GetHeaderBytes_NonUtf8_ExactBytes()
    {
        byte[]? raw = await CallAsync(k => k.Request.GetHeaderBytesAsync("x-bytes"), "kong.request.get_header", "91 a7782d6279746573", "a5fffe806f6b");
        Assert.Equal(Convert.FromHexString("fffe806f6b"), raw);
        Assert.Null(await CallAsync(k => k.Request.GetHeaderBytesAsync("x"), "kong.request.get_header", "91 a178", null));
    }

    [Fact]
    public async Task GetHeader_AllowedInLog()
    {
        // log-phase.json: the log override serves saved headers.
        Assert.Equal("full", await CallAsync(k => k.Request.GetHeaderAsync("x-log"), "kong.request.get_header", "91 a5782d6c6f67", "a466756c6c", KongPhase.Log));
    }

    [Fact]
    public async Task GetHeaders_RecordedVector_CaseInsensitiveMultiMap()
    {
        // access-headers.json seq 25 (plugin.StepMultiMap).
        string data = "84a6782d6c6f6e6791da004030313233343536373839616263646566303132333435363738396162636465663031323334353637383961626364656630313233343536373839616263646566a7782d6d756c746993a36f6e65a374776fa57468726565ac782d6d697865642d6361736591a54d69586544a7782d627974657391a5fffe806f6b";
        KongMultiMap h = await CallAsync(k => k.Request.GetHeadersAsync(), "kong.request.get_headers", "90", data, step: "plugin.StepMultiMap");
        Assert.Equal(["one", "two", "three"], h["X-Multi"]);
        Assert.Equal("MiXeD", h.GetFirst("X-MIXED-CASE"));
        Assert.Equal(64, h["x-long"][0].Length);
        Assert.Equal("\uFFFD\uFFFD\uFFFDok", h["x-bytes"][0]);
    }

    [Fact]
    public async Task GetHeaders_WithMax_AndEmpty()
    {
        KongMultiMap h = await CallAsync(k => k.Request.GetHeadersAsync(200), "kong.request.get_headers", "91 ccc8", "80", step: "plugin.StepMultiMap");
        Assert.Empty(h);
        KongMultiMap nil = await CallAsync(k => k.Request.GetHeadersAsync(), "kong.request.get_headers", "90", null);
        Assert.Empty(nil);
    }

    [Fact]
    public async Task GetRawBody_SendsZero_DecodesBin()
    {
        // binary-body.json: bin16 with all 256 byte values and then non-UTF-8; §4.11: "hi" is C4 02 68 69.
        byte[] body = await CallAsync(k => k.Request.GetRawBodyAsync(), "kong.request.get_raw_body", "91 00", "c4 02 6869");
        Assert.Equal("hi"u8.ToArray(), body);
        byte[] all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        byte[] big = await CallAsync(k => k.Request.GetRawBodyAsync(), "kong.request.get_raw_body", "91 00", "c5 0100" + Convert.ToHexString(all));
        Assert.Equal(all, big);
        Assert.Empty(await CallAsync(k => k.Request.GetRawBodyAsync(), "kong.request.get_raw_body", "91 00", "c4 00"));
        Assert.Empty(await CallAsync(k => k.Request.GetRawBodyAsync(), "kong.request.get_raw_body", "91 00", null));
    }

    [Fact]
    public async Task GetRawBodyString_DecodesLeniently()
    {
        Assert.Equal("h\uFFFDi", await CallAsync(k => k.Request.GetRawBodyStringAsync(), "kong.request.get_raw_body", "91 00", "c4 03 68ff69"));
    }

    [Fact]
    public async Task GetBody_ArgsAndMap()
    {
        KongValue body = await CallAsync(k => k.Request.GetBodyAsync(), "kong.request.get_body", "90", "81 a161 a131");
        Assert.Equal("1", body["a"].AsString());
        Assert.True((await CallAsync(k => k.Request.GetBodyAsync(), "kong.request.get_body", "90", null)).IsNil);
        await CallAsync(k => k.Request.GetBodyAsync("application/json"), "kong.request.get_body", "91 b0 6170706c69636174696f6e2f6a736f6e", "90");
        await CallAsync(k => k.Request.GetBodyAsync("a", 10, 20), "kong.request.get_body", "93 a161 0a 14", "90");
        Exception ex = await FailsLocallyAsync(async k => await k.Request.GetBodyAsync(null, 10));
        Assert.IsType<ArgumentException>(ex);
    }

    [Fact]
    public async Task GetUriCaptures_ListAndNamed_AndEmptyArrays()
    {
        // {unnamed: ["v1"], named: {version: "v1"}}
        KongUriCaptures c = await CallAsync(k => k.Request.GetUriCapturesAsync(), "kong.request.get_uri_captures", "90",
            "82 a7756e6e616d6564 91 a27631 a56e616d6564 81 a776657273696f6e a27631", KongPhase.Log);
        Assert.Equal(["v1"], c.Unnamed);
        Assert.Equal("v1", c.Named["version"]);
        // Empty tables arrive as empty arrays; the whole match under key 0 makes unnamed an integer-keyed map.
        KongUriCaptures e = await CallAsync(k => k.Request.GetUriCapturesAsync(), "kong.request.get_uri_captures", "90", "82 a7756e6e616d6564 90 a56e616d6564 90");
        Assert.Empty(e.Unnamed);
        Assert.Empty(e.Named);
        KongUriCaptures z = await CallAsync(k => k.Request.GetUriCapturesAsync(), "kong.request.get_uri_captures", "90", "81 a7756e6e616d6564 82 00 a3 2f7631 01 a27631");
        Assert.Equal("/v1", z.WholeMatch);
        Assert.Equal(["v1"], z.Unnamed);
        KongUriCaptures n = await CallAsync(k => k.Request.GetUriCapturesAsync(), "kong.request.get_uri_captures", "90", null);
        Assert.Empty(n.Unnamed);
    }
}
