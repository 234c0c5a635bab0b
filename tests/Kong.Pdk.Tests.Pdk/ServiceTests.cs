using static Kong.Pdk.Tests.Pdk.Pdk;

namespace Kong.Pdk.Tests.Pdk;

public sealed class ServiceTests
{
    [Fact]
    public async Task Router_RouteAndService_Lenient()
    {
        // route: {id, paths: ["/a"], headers: [] (empty table), service: {id: "s"}, strip_path: true}
        KongRoute? r = await CallAsync(k => k.Router.GetRouteAsync(), "kong.router.get_route", "90",
            "85 a26964 a172 a57061746873 91 a22f61 a768656164657273 90 a773657276696365 81 a26964 a173 aa73747269705f70617468 c3",
            KongPhase.Log, "plugin.StepRoute");
        Assert.Equal("r", r!.Id);
        Assert.Equal(["/a"], r.Paths);
        Assert.Empty(r.Headers);
        Assert.Equal("s", r.ServiceId);
        Assert.True(r.StripPath);
        Assert.Null(r.Name);
        KongServiceEntity? s = await CallAsync(k => k.Router.GetServiceAsync(), "kong.router.get_service", "90",
            "83 a26964 a173 a4706f7274 cd1f90 a4686f7374 a1 68", step: "plugin.StepService");
        Assert.Equal(8080, s!.Port);
        Assert.Equal("h", s.Host);
        Assert.Null(await CallAsync(k => k.Router.GetServiceAsync(), "kong.router.get_service", "90", null, KongPhase.Response, "plugin.StepService"));
    }

    [Fact]
    public async Task Service_Functions()
    {
        Assert.True(await CallAsync(k => k.Service.SetUpstreamAsync("up"), "kong.service.set_upstream", "91 a27570", "c3"));
        Assert.False(await CallAsync(k => k.Service.SetUpstreamAsync("up"), "kong.service.set_upstream", "91 a27570", null));
        await CallAsync(k => k.Service.SetTargetAsync("h", 8080), "kong.service.set_target", "92 a168 cd1f90", KongPhase.Preread);
        await CallAsync(k => k.Service.SetRetriesAsync(3), "kong.service.set_retries", "91 03");
        await CallAsync(k => k.Service.SetTimeoutsAsync(1000, 2000, 3000), "kong.service.set_timeouts", "93 cd03e8 cd07d0 cd0bb8");
        Assert.True(await CallAsync(k => k.Service.SetTlsVerifyAsync(true), "kong.service.set_tls_verify", "91 c3", "c3", KongPhase.Rewrite));
        Assert.True(await CallAsync(k => k.Service.SetTlsVerifyDepthAsync(2), "kong.service.set_tls_verify_depth", "91 02", "c3"));
        Assert.IsType<KongPdkException>(await FailsLocallyAsync(async k => await k.Service.SetRetriesAsync(1), KongPhase.Rewrite));
    }

    [Fact]
    public async Task ServiceRequest_Setters()
    {
        await CallAsync(k => k.Service.Request.EnableBufferingAsync(), "kong.service.request.enable_buffering", "90");
        await CallAsync(k => k.Service.Request.SetSchemeAsync("https"), "kong.service.request.set_scheme", "91 a568747470 73".Replace("a568747470 73", "a56874747073"));
        await CallAsync(k => k.Service.Request.SetPathAsync("/p"), "kong.service.request.set_path", "91 a22f70", KongPhase.Rewrite);
        await CallAsync(k => k.Service.Request.SetRawQueryAsync("a=1"), "kong.service.request.set_raw_query", "91 a3613d31");
        await CallAsync(k => k.Service.Request.SetMethodAsync("POST"), "kong.service.request.set_method", "91 a4504f5354");
        await CallAsync(k => k.Service.Request.SetQueryAsync(new Dictionary<string, string> { ["a"] = "1" }), "kong.service.request.set_query", "91 81 a161 a131");
        await CallAsync(k => k.Service.Request.SetQueryAsync(new Dictionary<string, IReadOnlyList<string>> { ["a"] = ["1", "2"] }), "kong.service.request.set_query", "91 81 a161 92 a131 a132");
        await CallAsync(k => k.Service.Request.SetQueryAsync(KongValue.Map(new KeyValuePair<string, KongValue>[] { new("flag", true) })), "kong.service.request.set_query", "91 81 a4666c6167 c3");
        await CallAsync(k => k.Service.Request.ClearQueryArgAsync("a"), "kong.service.request.clear_query_arg", "91 a161");
        await CallAsync(k => k.Service.Request.SetHeaderAsync("h", "v"), "kong.service.request.set_header", "92 a168 a176");
        await CallAsync(k => k.Service.Request.SetHeaderAsync("h", 2L), "kong.service.request.set_header", "92 a168 02");
        await CallAsync(k => k.Service.Request.SetHeaderAsync("h", 2.5), "kong.service.request.set_header", "92 a168 cb4004000000000000");
        await CallAsync(k => k.Service.Request.SetHeaderAsync("h", true), "kong.service.request.set_header", "92 a168 c3");
        await CallAsync(k => k.Service.Request.SetHeaderAsync("h", new[] { "a", "b" }), "kong.service.request.set_header", "92 a168 92 a161 a162");
        await CallAsync(k => k.Service.Request.AddHeaderAsync("h", "v"), "kong.service.request.add_header", "92 a168 a176");
        await CallAsync(k => k.Service.Request.AddHeaderAsync("h", 1L), "kong.service.request.add_header", "92 a168 01");
        await CallAsync(k => k.Service.Request.AddHeaderAsync("h", 0.5), "kong.service.request.add_header", "92 a168 cb3fe0000000000000");
        await CallAsync(k => k.Service.Request.AddHeaderAsync("h", false), "kong.service.request.add_header", "92 a168 c2");
        await CallAsync(k => k.Service.Request.AddHeaderAsync("h", new[] { "a" }), "kong.service.request.add_header", "92 a168 91 a161");
        await CallAsync(k => k.Service.Request.ClearHeaderAsync("h"), "kong.service.request.clear_header", "91 a168");
        await CallAsync(k => k.Service.Request.SetHeadersAsync(new Dictionary<string, string> { ["h"] = "v" }), "kong.service.request.set_headers", "91 81 a168 a176");
        await CallAsync(k => k.Service.Request.SetHeadersAsync(new Dictionary<string, IReadOnlyList<string>> { ["h"] = ["v", "w"] }), "kong.service.request.set_headers", "91 81 a168 92 a176 a177");
        await CallAsync(k => k.Service.Request.SetRawBodyAsync(new byte[] { 0xff }), "kong.service.request.set_raw_body", "91 c401ff");
        await CallAsync(k => k.Service.Request.SetRawBodyAsync("hi"), "kong.service.request.set_raw_body", "91 a26869");
        Assert.True(await CallAsync(k => k.Service.Request.SetBodyAsync(KongValue.Map(new Dictionary<string, string> { ["a"] = "1" }), "application/json"),
            "kong.service.request.set_body", "92 81 a161 a131 b06170706c69636174696f6e2f6a736f6e", "c3"));
        Assert.False(await CallAsync(k => k.Service.Request.SetBodyAsync(KongValue.Map(new Dictionary<string, string>())), "kong.service.request.set_body", "91 80", null));
        Assert.IsType<KongPdkException>(await FailsLocallyAsync(async k => await k.Service.Request.SetPathAsync("/"), KongPhase.Response));
    }

    [Fact]
    public async Task ServiceResponse_Getters_RecordedRawBody()
    {
        // response-phase.json seq 121/122: bin8 "upstream-ok".
        byte[] body = await CallAsync(k => k.Service.Response.GetRawBodyAsync(), "kong.service.response.get_raw_body", "90", "c40b757073747265616d2d6f6b", KongPhase.Response);
        Assert.Equal("upstream-ok"u8.ToArray(), body);
        Assert.Equal("upstream-ok", await CallAsync(k => k.Service.Response.GetRawBodyStringAsync(), "kong.service.response.get_raw_body", "90", "c40b757073747265616d2d6f6b", KongPhase.Response));
        Assert.Equal(502, await CallAsync(k => k.Service.Response.GetStatusAsync(), "kong.service.response.get_status", "90", "cd01f6", KongPhase.Response));
        Assert.Equal("v", await CallAsync(k => k.Service.Response.GetHeaderAsync("h"), "kong.service.response.get_header", "91 a168", "a176", KongPhase.Response));
        KongMultiMap h = await CallAsync(k => k.Service.Response.GetHeadersAsync(), "kong.service.response.get_headers", "90", "81 a168 92 a161 a162", KongPhase.Response, "plugin.StepMultiMap");
        Assert.Equal(["a", "b"], h["H"]);
        await CallAsync(k => k.Service.Response.GetHeadersAsync(5), "kong.service.response.get_headers", "91 05", "80", KongPhase.Response, "plugin.StepMultiMap");
        KongValue parsed = await CallAsync(k => k.Service.Response.GetBodyAsync("application/json", 10), "kong.service.response.get_body", "92 b06170706c69636174696f6e2f6a736f6e 0a", "81 a161 01", KongPhase.Response);
        Assert.Equal(1, parsed["a"].AsInt64());
        Assert.IsType<KongPdkException>(await FailsLocallyAsync(async k => await k.Service.Response.GetRawBodyAsync(), KongPhase.Access));
    }

    [Fact]
    public async Task Vault_And_Telemetry()
    {
        Assert.Equal("s3cr3t", await CallAsync(k => k.Vault.GetAsync("{vault://env/x}"), "kong.vault.get", "91 af7b7661756c743a2f2f656e762f787d", S("s3cr3t")));
        Assert.Null(await CallAsync(k => k.Vault.GetAsync("{vault://env/x}"), "kong.vault.get", "91 af7b7661756c743a2f2f656e762f787d", null, KongPhase.Log));
        Assert.True(await CallAsync(k => k.Vault.IsReferenceAsync("x"), "kong.vault.is_reference", "91 a178", "c3"));
        Assert.Equal("env", (await CallAsync(k => k.Vault.ParseReferenceAsync("r"), "kong.vault.parse_reference", "91 a172", "81 a46e616d65 a3656e76"))["name"].AsString());
        await CallAsync(k => k.Vault.UpdateAsync(KongValue.Map(new Dictionary<string, string> { ["a"] = "b" })), "kong.vault.update", "91 81 a161 a162", "81 a161 a162");
        await CallAsync(k => k.Vault.FlushAsync(), "kong.vault.flush", "90");
        await CallAsync(k => k.Telemetry.LogAsync("p", KongValue.EmptyList, "t", "m"), "kong.telemetry.log", "94 a170 90 a174 a16d");
        await CallAsync(k => k.Telemetry.LogAsync("p", KongValue.EmptyList, "t", "m", KongValue.Map(new Dictionary<string, string> { ["a"] = "b" })), "kong.telemetry.log", "95 a170 90 a174 a16d 81 a161 a162");
    }

    [Fact]
    public async Task CallAsync_GenericCall_TrailingNilsDropped_NilHoleRejected()
    {
        // unknown-pdk.json seq 137/138: an unknown method answers with a Step without Data.
        KongValue v = await CallAsync(k => k.CallAsync("kong.nonexistent.method", "x"), "kong.nonexistent.method", "91 a178", null);
        Assert.True(v.IsNil);
        KongValue groups = await CallAsync(k => k.CallAsync("kong.client.get_consumer_groups", KongValue.Nil, KongValue.Nil), "kong.client.get_consumer_groups", "90", "91 81 a26964 a167");
        Assert.Equal("g", groups[0]["id"].AsString());
        await CallAsync(k => k.CallAsync("kong.x.y", 1, 2.5, true, new byte[] { 1 }), "kong.x.y", "94 01 cb4004000000000000 c3 c40101", "c0");
        var ex = Assert.IsType<ArgumentException>(await FailsLocallyAsync(async k => await k.CallAsync("kong.response.exit", 403, KongValue.Nil, KongValue.Map(new Dictionary<string, string>()))));
        Assert.Contains("Argument 2 of kong.response.exit is nil", ex.Message);
        // Kong reports a 2.x error with plugin.StepError.
        var err = await Assert.ThrowsAsync<KongPdkException>(() => CallAsync(k => k.CallAsync("kong.request.get_body"), "kong.request.get_body", "90", S("not found"), step: "plugin.StepError"));
        Assert.Contains("not found", err.Message);
    }
}

public sealed class KongValueTests
{
    [Fact]
    public void Conversions_AndLenientAccess()
    {
        Assert.Equal(KongValueKind.Integer, KongValue.From(3.0).Kind);
        Assert.Equal(KongValueKind.Number, KongValue.From(3.5).Kind);
        Assert.Equal(3, KongValue.From(3.0).AsInt64());
        Assert.True(KongValue.EmptyList.Equals(KongValue.Map(new Dictionary<string, string>())));
        Assert.True(((KongValue)"a").Equals(KongValue.FromStringBytes("a"u8)));
        Assert.True(((KongValue)(string?)null).IsNil);
        Assert.True(KongValue.Nil["x"].IsNil);
        Assert.Throws<InvalidOperationException>(() => KongValue.From("x").AsInt64());
        Assert.Equal(2, KongValue.List(1, 2).AsMap()[1].Key.AsInt64());
    }
}
