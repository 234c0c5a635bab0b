using static Kong.Pdk.Tests.Pdk.Pdk;

namespace Kong.Pdk.Tests.Pdk;

public sealed class ClientTests
{
    [Fact]
    public async Task Addresses_AndPorts()
    {
        Assert.Equal("10.0.0.1", await CallAsync(k => k.Client.GetIpAsync(), "kong.client.get_ip", "90", S("10.0.0.1"), KongPhase.Certificate));
        Assert.Equal("1.2.3.4", await CallAsync(k => k.Client.GetForwardedIpAsync(), "kong.client.get_forwarded_ip", "90", S("1.2.3.4")));
        Assert.Equal(5000, await CallAsync(k => k.Client.GetPortAsync(), "kong.client.get_port", "90", "cd1388"));
        Assert.Equal(80, await CallAsync(k => k.Client.GetForwardedPortAsync(), "kong.client.get_forwarded_port", "90", "cb4054000000000000"));
    }

    [Fact]
    public async Task GetConsumer_LenientRecord_StepConsumer()
    {
        // {id, username, created_at, tags: [] (empty table as array), custom_id absent, unknown: x}
        string data = "85 a26964 a3616263 a8757365726e616d65 a3626f62 aa637265617465645f6174 ce6553f100 a474616773 90 a7756e6b6e6f776e a178";
        KongConsumer? c = await CallAsync(k => k.Client.GetConsumerAsync(), "kong.client.get_consumer", "90", data, KongPhase.Log, "plugin.StepConsumer");
        Assert.NotNull(c);
        Assert.Equal("abc", c.Id);
        Assert.Equal("bob", c.Username);
        Assert.Null(c.CustomId);
        Assert.Equal(1700000000, c.CreatedAt);
        Assert.Empty(c.Tags);
        Assert.Equal("x", c.Raw["unknown"].AsString());
        Assert.Null(await CallAsync(k => k.Client.GetConsumerAsync(), "kong.client.get_consumer", "90", null, step: "plugin.StepConsumer"));
    }

    [Fact]
    public async Task GetCredential_ConsumerIdFromNestedConsumer()
    {
        string data = "83 a26964 a163 a8636f6e73756d6572 81 a26964 a3616263 a36b6579 a26b31";
        KongCredential? c = await CallAsync(k => k.Client.GetCredentialAsync(), "kong.client.get_credential", "90", data, step: "plugin.StepCredential");
        Assert.Equal("c", c!.Id);
        Assert.Equal("abc", c.ConsumerId);
        Assert.Equal("k1", c.Raw["key"].AsString());
    }

    [Fact]
    public async Task LoadConsumer_SendsIdAndFlag()
    {
        KongConsumer? c = await CallAsync(k => k.Client.LoadConsumerAsync("bob", byUsername: true), "kong.client.load_consumer", "92 a3626f62 c3", "81 a26964 a131", step: "plugin.StepConsumer");
        Assert.Equal("1", c!.Id);
        Assert.Null(await CallAsync(k => k.Client.LoadConsumerAsync("x"), "kong.client.load_consumer", "92 a178 c2", null, KongPhase.Response, "plugin.StepConsumer"));
    }

    [Fact]
    public async Task Authenticate_ConsumerOnly_CredentialOnly_NilFirstAllowed()
    {
        KongValue consumer = KongValue.Map(new Dictionary<string, string> { ["id"] = "c1" });
        KongValue credential = KongValue.Map(new Dictionary<string, string> { ["id"] = "k1" });
        await CallAsync(k => k.Client.AuthenticateAsync(consumer), "kong.client.authenticate", "91 81 a26964 a26331");
        await CallAsync(k => k.Client.AuthenticateAsync(consumer, credential), "kong.client.authenticate", "92 81 a26964 a26331 81 a26964 a26b31");
        await CallAsync(k => k.Client.AuthenticateAsync((KongValue?)null, credential), "kong.client.authenticate", "92 c0 81 a26964 a26b31");
        Assert.IsType<ArgumentException>(await FailsLocallyAsync(async k => await k.Client.AuthenticateAsync((KongValue?)null)));
        Assert.IsType<KongPdkException>(await FailsLocallyAsync(async k => await k.Client.AuthenticateAsync(consumer), KongPhase.Response));
    }

    [Fact]
    public async Task GetProtocol_SendsFlag()
    {
        Assert.Equal("https", await CallAsync(k => k.Client.GetProtocolAsync(), "kong.client.get_protocol", "91 c2", S("https")));
        Assert.Equal("http", await CallAsync(k => k.Client.GetProtocolAsync(true), "kong.client.get_protocol", "91 c3", S("http")));
    }

    [Fact]
    public async Task Tls_AllFunctions()
    {
        Assert.True(await CallAsync(k => k.Client.Tls.RequestClientCertificateAsync(), "kong.client.tls.request_client_certificate", "90", "c3", KongPhase.Certificate));
        Assert.False(await CallAsync(k => k.Client.Tls.RequestClientCertificateAsync(), "kong.client.tls.request_client_certificate", "90", null, KongPhase.Certificate));
        Assert.True(await CallAsync(k => k.Client.Tls.DisableSessionReuseAsync(), "kong.client.tls.disable_session_reuse", "90", "c3", KongPhase.Certificate));
        Assert.Equal("PEM", await CallAsync(k => k.Client.Tls.GetFullClientCertificateChainAsync(), "kong.client.tls.get_full_client_certificate_chain", "90", S("PEM")));
        Assert.Null(await CallAsync(k => k.Client.Tls.GetFullClientCertificateChainAsync(), "kong.client.tls.get_full_client_certificate_chain", "90", null, KongPhase.Rewrite));
        await CallAsync(k => k.Client.Tls.SetClientVerifyAsync("SUCCESS"), "kong.client.tls.set_client_verify", "91 a753554343455353");
        Assert.IsType<KongPdkException>(await FailsLocallyAsync(async k => await k.Client.Tls.DisableSessionReuseAsync()));
    }
}

public sealed class CtxSharedTests
{
    [Fact]
    public async Task Set_RecordedVectors_StringAndStructured()
    {
        // ctx-shared.json seq 99 and 100.
        await CallAsync(k => k.Ctx.Shared.SetAsync("vectors", "ctx:abc"), "kong.ctx.shared.set", "92 a7766563746f7273 a76374783a616263");
        KongValue obj = KongValue.Map(new KeyValuePair<string, KongValue>[]
        {
            new("s", "x"), new("i", 7), new("f", 2.5), new("whole", 3.0), new("t", true),
            new("list", KongValue.List(1, "two")), new("empty_list", KongValue.EmptyList),
            new("empty_obj", KongValue.Map(Array.Empty<KeyValuePair<string, KongValue>>())),
        });
        await CallAsync(k => k.Ctx.Shared.SetAsync("vectors_obj", obj), "kong.ctx.shared.set",
            "92 ab766563746f72735f6f626a 88 a173a178 a16907 a166cb4004000000000000 a577686f6c6503 a174c3 a46c697374 92 01 a374776f aa656d7074795f6c697374 90 a9656d7074795f6f626a 80");
    }

    [Fact]
    public async Task Set_TypedOverloads()
    {
        await CallAsync(k => k.Ctx.Shared.SetAsync("n", 5L), "kong.ctx.shared.set", "92 a16e 05", KongPhase.Log);
        await CallAsync(k => k.Ctx.Shared.SetAsync("n", 0.25), "kong.ctx.shared.set", "92 a16e cb3fd0000000000000");
        await CallAsync(k => k.Ctx.Shared.SetAsync("n", true), "kong.ctx.shared.set", "92 a16e c3", KongPhase.Certificate);
        await CallAsync(k => k.Ctx.Shared.SetAsync("n", new[] { "a" }), "kong.ctx.shared.set", "92 a16e 91 a161");
        await CallAsync(k => k.Ctx.Shared.SetAsync("n", new Dictionary<string, string> { ["a"] = "b" }), "kong.ctx.shared.set", "92 a16e 81 a161 a162");
        await CallAsync(k => k.Ctx.Shared.SetAsync("n", (string?)null), "kong.ctx.shared.set", "91 a16e");
        await CallAsync(k => k.Ctx.Shared.SetAsync("n", KongValue.Nil), "kong.ctx.shared.set", "91 a16e");
        await CallAsync(k => k.Ctx.Shared.SetAsync("n", KongValue.FromBytes([1, 2])), "kong.ctx.shared.set", "92 a16e c4020102");
    }

    [Fact]
    public async Task Get_RecordedVector_EmptyObjectArrivesAsArray()
    {
        // ctx-shared.json seq 109: keys in another order, empty_obj as 90, f a float, whole an integer.
        string data = "88aa656d7074795f6c69737490a173a178a9656d7074795f6f626a90a166cb4004000000000000a16907a174c3a46c6973749201a374776fa577686f6c6503";
        KongValue v = await CallAsync(k => k.Ctx.Shared.GetAsync("vectors_obj"), "kong.ctx.shared.get", "91 ab766563746f72735f6f626a", data, KongPhase.Log);
        Assert.Equal("x", v["s"].AsString());
        Assert.Equal(7, v["i"].AsInt64());
        Assert.Equal(2.5, v["f"].AsDouble());
        Assert.Equal(3.0, v["whole"].AsDouble());
        Assert.True(v["t"].AsBoolean());
        Assert.Equal(1, v["list"][0].AsInt64());
        Assert.Equal("two", v["list"][1].AsString());
        Assert.Empty(v["empty_obj"].AsMap());
        Assert.Empty(v["empty_list"].AsList());
        Assert.Equal("ctx:abc", (await CallAsync(k => k.Ctx.Shared.GetAsync("vectors"), "kong.ctx.shared.get", "91 a7766563746f7273", "a76374783a616263")).AsString());
        Assert.True((await CallAsync(k => k.Ctx.Shared.GetAsync("x"), "kong.ctx.shared.get", "91 a178", null)).IsNil);
    }

    [Fact]
    public async Task Get_NonUtf8_KeepsRawBytes_AndRoundTrips()
    {
        KongValue v = await CallAsync(k => k.Ctx.Shared.GetAsync("b"), "kong.ctx.shared.get", "91 a162", "a3 ff6f6b");
        Assert.False(v.IsValidUtf8);
        Assert.Equal("\uFFFDok", v.AsString());
        Assert.Equal(Convert.FromHexString("ff6f6b"), v.GetRawBytes().ToArray());
        await CallAsync(k => k.Ctx.Shared.SetAsync("b", v), "kong.ctx.shared.set", "92 a162 a3ff6f6b");
        Assert.Equal("ok", await CallAsync(k => k.Ctx.Shared.GetStringAsync("b"), "kong.ctx.shared.get", "91 a162", "a2 6f6b"));
    }
}

public sealed class SmallModuleTests
{
    [Fact]
    public async Task Ip_IsTrusted()
    {
        Assert.True(await CallAsync(k => k.Ip.IsTrustedAsync("1.1.1.1"), "kong.ip.is_trusted", "91 a7312e312e312e31", "c3", KongPhase.Log));
        Assert.False(await CallAsync(k => k.Ip.IsTrustedAsync("1.1.1.1"), "kong.ip.is_trusted", "91 a7312e312e312e31", "c2"));
    }

    [Fact]
    public async Task Node_Functions()
    {
        Assert.Equal("uuid", await CallAsync(k => k.Node.GetIdAsync(), "kong.node.get_id", "90", S("uuid"), KongPhase.Log));
        Assert.Equal("host", await CallAsync(k => k.Node.GetHostnameAsync(), "kong.node.get_hostname", "90", S("host"), KongPhase.Preread));
        // {lua_shared_dicts: {kong: {allocated_slabs: 12288, capacity: 5242880}}, workers_lua_vms: [{http_allocated_gc: 1024, pid: 7}]}
        string stats = "82 b06c75615f7368617265645f6469637473 81 a46b6f6e67 82 af616c6c6f63617465645f736c616273 cd3000 a86361706163697479 ce00500000"
            + " af776f726b6572735f6c75615f766d73 91 82 b1687474705f616c6c6f63617465645f6763 cd0400 a3706964 07";
        KongMemoryStats m = await CallAsync(k => k.Node.GetMemoryStatsAsync(), "kong.node.get_memory_stats", "90", stats, step: "plugin.StepMemoryStats");
        Assert.Equal(12288, m.LuaSharedDicts["kong"].AllocatedSlabs.AsInt64());
        Assert.Equal(5242880, m.LuaSharedDicts["kong"].Capacity.AsInt64());
        Assert.Equal(7, m.WorkersLuaVms[0].Pid);
        Assert.Equal(1024, m.WorkersLuaVms[0].HttpAllocatedGc.AsInt64());
        KongMemoryStats empty = await CallAsync(k => k.Node.GetMemoryStatsAsync("m", 2), "kong.node.get_memory_stats", "92 a16d 02", "82 b06c75615f7368617265645f6469637473 90 af776f726b6572735f6c75615f766d73 90", step: "plugin.StepMemoryStats");
        Assert.Empty(empty.LuaSharedDicts);
        await CallAsync(k => k.Node.GetMemoryStatsAsync("k"), "kong.node.get_memory_stats", "91 a16b", null);
        Assert.IsType<ArgumentException>(await FailsLocallyAsync(async k => await k.Node.GetMemoryStatsAsync(null, 2)));
    }

    [Fact]
    public async Task Plugin_And_Cluster_Ids()
    {
        Assert.Equal("p", await CallAsync(k => k.Plugin.GetIdAsync(), "kong.plugin.get_id", "90", "a170", KongPhase.Log));
        Assert.IsType<KongPdkException>(await FailsLocallyAsync(async k => await k.Plugin.GetIdAsync(), KongPhase.Certificate));
        Assert.Equal("c", await CallAsync(k => k.Cluster.GetIdAsync(), "kong.cluster.get_id", "90", "a163", KongPhase.Certificate));
    }

    [Fact]
    public async Task Log_AllLevels_RecordedNotice()
    {
        // ctx-shared.json seq 115.
        await CallAsync(k => k.Log.NoticeAsync("vectors log ctx=ctx:abc obj=set"), "kong.log.notice", "91 bf766563746f7273206c6f67206374783d6374783a616263206f626a3d736574", KongPhase.Log);
        await CallAsync(k => k.Log.AlertAsync("m"), "kong.log.alert", "91 a16d");
        await CallAsync(k => k.Log.CritAsync("m"), "kong.log.crit", "91 a16d");
        await CallAsync(k => k.Log.ErrAsync("m"), "kong.log.err", "91 a16d", KongPhase.Certificate);
        await CallAsync(k => k.Log.WarnAsync("m"), "kong.log.warn", "91 a16d");
        await CallAsync(k => k.Log.InfoAsync("m"), "kong.log.info", "91 a16d", KongPhase.Preread);
        await CallAsync(k => k.Log.DebugAsync("m"), "kong.log.debug", "91 a16d");
        await CallAsync(k => k.Log.DeprecationAsync("m"), "kong.log.deprecation", "91 a16d");
    }

    [Fact]
    public async Task Log_Serialize_JsonTextAndParsedView()
    {
        KongSerializedLog log = await CallAsync(k => k.Log.SerializeAsync(), "kong.log.serialize", "90", S("{\"response\":{\"status\":200}}"), KongPhase.Log);
        Assert.Equal("{\"response\":{\"status\":200}}", log.Json);
        Assert.Equal(200, log.Root.GetProperty("response").GetProperty("status").GetInt32());
        Assert.Equal("null", (await CallAsync(k => k.Log.SerializeAsync(), "kong.log.serialize", "90", null)).Json);
    }

    [Fact]
    public async Task Log_SetSerializeValue()
    {
        await CallAsync(k => k.Log.SetSerializeValueAsync("a.b", 1), "kong.log.set_serialize_value", "92 a3612e62 01");
        await CallAsync(k => k.Log.SetSerializeValueAsync("a", "v", "add"), "kong.log.set_serialize_value", "93 a161 a176 81 a46d6f6465 a3616464");
        await CallAsync(k => k.Log.SetSerializeValueAsync("a", null), "kong.log.set_serialize_value", "91 a161");
        Assert.IsType<ArgumentException>(await FailsLocallyAsync(async k => await k.Log.SetSerializeValueAsync("a", null, "set")));
        Assert.IsType<KongPdkException>(await FailsLocallyAsync(async k => await k.Log.SetSerializeValueAsync("a", 1), KongPhase.Log));
    }

    [Fact]
    public async Task Nginx_Functions()
    {
        // request-info.json seq 44/45 and 46 (unset variable: no Data).
        Assert.Equal("4f6c2a1e9b0d4c3a8e7f5b6a1c2d3e4f", await CallAsync(k => k.Nginx.GetVarAsync("request_id"), "kong.nginx.get_var", "91 aa726571756573745f6964", "da00203466366332613165396230643463336138653766356236613163326433653466"));
        Assert.Null(await CallAsync(k => k.Nginx.GetVarAsync("vectors_unset_variable"), "kong.nginx.get_var", "91 b6766563746f72735f756e7365745f7661726961626c65", null));
        Assert.IsType<KongPdkException>(await FailsLocallyAsync(async k => await k.Nginx.GetVarAsync("x"), KongPhase.Log));
        Assert.Equal("TLSv1.3", await CallAsync(k => k.Nginx.GetTls1VersionStrAsync(), "kong.nginx.get_tls1_version_str", "90", S("TLSv1.3"), KongPhase.Certificate));
        Assert.Equal(7, (await CallAsync(k => k.Nginx.GetCtxAsync("k"), "kong.nginx.get_ctx", "91 a16b", "07", KongPhase.Log)).AsInt64());
        await CallAsync(k => k.Nginx.SetCtxAsync("k", KongValue.List("a")), "kong.nginx.set_ctx", "92 a16b 91 a161");
        await CallAsync(k => k.Nginx.SetCtxAsync("k", null), "kong.nginx.set_ctx", "91 a16b");
        Assert.Equal(1700000000.5, await CallAsync(k => k.Nginx.ReqStartTimeAsync(), "kong.nginx.req_start_time", "90", "cb41d954fc40200000", KongPhase.Log).ContinueWith(t => Math.Round(t.Result, 1)));
        Assert.Equal(1700000000.0, await CallAsync(k => k.Nginx.ReqStartTimeAsync(), "kong.nginx.req_start_time", "90", "ce6553f100"));
        Assert.Equal("stream", await CallAsync(k => k.Nginx.GetSubsystemAsync(), "kong.nginx.get_subsystem", "90", S("stream"), KongPhase.Preread));
        Assert.Equal(3, (await CallAsync(k => k.Nginx.GetStatisticsAsync(), "kong.nginx.get_statistics", "90", "81 b2636f6e6e656374696f6e735f616374697665 03"))["connections_active"].AsInt64());
    }
}
