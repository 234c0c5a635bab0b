using static Kong.Pdk.Tests.Pdk.Pdk;

namespace Kong.Pdk.Tests.Pdk;

public sealed class ResponseTests
{
    [Fact]
    public async Task GetStatus_RecordedVector_AndPhases()
    {
        // response-phase.json seq 120/121: Data CC C8.
        Assert.Equal(200, await CallAsync(k => k.Response.GetStatusAsync(), "kong.response.get_status", "90", "ccc8", KongPhase.Response));
        Assert.Equal(404, await CallAsync(k => k.Response.GetStatusAsync(), "kong.response.get_status", "90", "cd0194", KongPhase.Log));
        Assert.IsType<KongPdkException>(await FailsLocallyAsync(async k => await k.Response.GetStatusAsync(), KongPhase.Access));
    }

    [Fact]
    public async Task GetHeader_StrNilNonUtf8()
    {
        Assert.Equal("v", await CallAsync(k => k.Response.GetHeaderAsync("x"), "kong.response.get_header", "91 a178", "a176", KongPhase.Response));
        Assert.Null(await CallAsync(k => k.Response.GetHeaderAsync("x"), "kong.response.get_header", "91 a178", null, KongPhase.Log));
        Assert.Equal("\uFFFD", await CallAsync(k => k.Response.GetHeaderAsync("x"), "kong.response.get_header", "91 a178", "a1ff", KongPhase.Response));
    }

    [Fact]
    public async Task GetHeaders_MultiMapStep()
    {
        KongMultiMap h = await CallAsync(k => k.Response.GetHeadersAsync(), "kong.response.get_headers", "90", "81 a178 91 a131", KongPhase.Response, "plugin.StepMultiMap");
        Assert.Equal(["1"], h["X"]);
        KongMultiMap m = await CallAsync(k => k.Response.GetHeadersAsync(10), "kong.response.get_headers", "91 0a", "80", KongPhase.Log, "plugin.StepMultiMap");
        Assert.Empty(m);
    }

    [Fact]
    public async Task GetSource_Str()
    {
        Assert.Equal("exit", await CallAsync(k => k.Response.GetSourceAsync(), "kong.response.get_source", "90", "a465786974", KongPhase.Log));
        Assert.Equal("service", await CallAsync(k => k.Response.GetSourceAsync(), "kong.response.get_source", "90", S("service"), KongPhase.Response));
    }

    [Fact]
    public async Task SetStatus_Int()
    {
        await CallAsync(k => k.Response.SetStatusAsync(201), "kong.response.set_status", "91 ccc9");
    }

    [Fact]
    public async Task SetHeader_RecordedVector_AndTypedValues()
    {
        // access-headers.json seq 30.
        await CallAsync(k => k.Response.SetHeaderAsync("x-multi-first", "one"), "kong.response.set_header", "92 ad782d6d756c74692d6669727374 a36f6e65");
        await CallAsync(k => k.Response.SetHeaderAsync("x", 42L), "kong.response.set_header", "92 a178 2a");
        await CallAsync(k => k.Response.SetHeaderAsync("x", 1.5), "kong.response.set_header", "92 a178 cb3ff8000000000000");
        await CallAsync(k => k.Response.SetHeaderAsync("x", true), "kong.response.set_header", "92 a178 c3");
        await CallAsync(k => k.Response.SetHeaderAsync("x", new[] { "a", "b" }), "kong.response.set_header", "92 a178 92 a161 a162");
    }

    [Fact]
    public async Task AddHeader_RecordedVector_AndTypedValues()
    {
        // access-headers.json seq 38.
        await CallAsync(k => k.Response.AddHeaderAsync("x-added", "a"), "kong.response.add_header", "92 a7782d6164646564 a161");
        await CallAsync(k => k.Response.AddHeaderAsync("x", -1L), "kong.response.add_header", "92 a178 ff");
        await CallAsync(k => k.Response.AddHeaderAsync("x", 0.5), "kong.response.add_header", "92 a178 cb3fe0000000000000");
        await CallAsync(k => k.Response.AddHeaderAsync("x", false), "kong.response.add_header", "92 a178 c2");
        await CallAsync(k => k.Response.AddHeaderAsync("x", new[] { "a" }), "kong.response.add_header", "92 a178 91 a161");
    }

    [Fact]
    public async Task ClearHeader_Str()
    {
        await CallAsync(k => k.Response.ClearHeaderAsync("x"), "kong.response.clear_header", "91 a178");
    }

    [Fact]
    public async Task SetHeaders_SingleAndMultiValued()
    {
        await CallAsync(k => k.Response.SetHeadersAsync(new Dictionary<string, string> { ["x-set-one"] = "e" }), "kong.response.set_headers", "91 81 a9782d7365742d6f6e65 a165");
        await CallAsync(k => k.Response.SetHeadersAsync(new Dictionary<string, IReadOnlyList<string>> { ["x-set-multi"] = ["c", "d"] }),
            "kong.response.set_headers", "91 81 ab782d7365742d6d756c7469 92 a163 a164");
    }

    [Fact]
    public async Task Setters_InLog_ThrowNamingPhase()
    {
        var ex = Assert.IsType<KongPdkException>(await FailsLocallyAsync(async k => await k.Response.SetHeaderAsync("a", "b"), KongPhase.Log));
        Assert.Equal("kong.response.set_header", ex.Method);
        Assert.Contains("log", ex.Message);
    }

    [Fact]
    public async Task Exit_StatusOnly()
        => await Terminal.RunAsync(k => k.Response.ExitAsync(401), ("kong.response.exit", "91 cd0191"));

    [Fact]
    public async Task Exit_TextBody_MatchesSpecWalkthrough()
        => await Terminal.RunAsync(k => k.Response.ExitAsync(403, "denied"), ("kong.response.exit", "92 cd0193 a664656e696564"));

    [Fact]
    public async Task Exit_BodyAndHeaders_RecordedVector()
    {
        // exit.json seq 90, with every header value as an array.
        await Terminal.RunAsync(
            k => k.Response.ExitAsync(403, "denied by vectors", new Dictionary<string, IReadOnlyList<string>> { ["x-exit"] = ["yes"], ["x-exit-multi"] = ["1", "2"] }),
            ("kong.response.exit", "93 cd0193 b164656e69656420627920766563746f7273 82 a6782d65786974 91 a3796573 ac782d657869742d6d756c7469 92 a131 a132"));
        await Terminal.RunAsync(
            k => k.Response.ExitAsync(403, "denied by vectors", new Dictionary<string, string> { ["x-exit"] = "yes" }),
            ("kong.response.exit", "93 cd0193 b164656e69656420627920766563746f7273 81 a6782d65786974 a3796573"));
    }

    [Fact]
    public async Task Exit_HeadersWithoutBody_SetHeadersFirst_NeverNilHole()
    {
        // kong-protocol.md §4.11 "headers, no body".
        await Terminal.RunAsync(
            k => k.Response.ExitAsync(401, null, new Dictionary<string, string> { ["X-A"] = "1" }),
            ("kong.response.set_headers", "91 81 a3582d41 a131"),
            ("kong.response.exit", "91 cd0191"));
        await Terminal.RunAsync(
            k => k.Response.ExitAsync(401, null, new Dictionary<string, IReadOnlyList<string>> { ["X-A"] = ["1"] }),
            ("kong.response.set_headers", "91 81 a3582d41 91 a131"),
            ("kong.response.exit", "91 cd0191"));
    }

    [Fact]
    public async Task Exit_BinaryBody_IsBin()
    {
        await Terminal.RunAsync(k => k.Response.ExitBytesAsync(200, new byte[] { 0xff, 0x00 }), ("kong.response.exit", "92 ccc8 c402ff00"));
        await Terminal.RunAsync(k => k.Response.ExitBytesAsync(200, new byte[] { 1 }, new Dictionary<string, string> { ["a"] = "b" }), ("kong.response.exit", "93 ccc8 c40101 81 a161 a162"));
    }

    [Fact]
    public async Task ExitJson_RecordedVector()
    {
        // exit-json.json seq 94.
        KongValue body = KongValue.Map(new KeyValuePair<string, KongValue>[]
        {
            new("message", "teapot"),
            new("n", 1),
            new("f", 1.5),
            new("list", KongValue.List("a", "b")),
            new("empty_list", KongValue.EmptyList),
            new("empty_obj", KongValue.Map(Array.Empty<KeyValuePair<string, KongValue>>())),
        });
        await Terminal.RunAsync(k => k.Response.ExitJsonAsync(418, body),
            ("kong.response.exit", "92 cd01a2 86 a76d657373616765 a6746561706f74 a16e 01 a166 cb3ff8000000000000 a46c697374 92 a161 a162 aa656d7074795f6c697374 90 a9656d7074795f6f626a 80"));
    }

    [Fact]
    public async Task Error_StatusMessageHeaders()
    {
        await Terminal.RunAsync(k => k.Response.ErrorAsync(500), ("kong.response.error", "91 cd01f4"));
        await Terminal.RunAsync(k => k.Response.ErrorAsync(503, "down"), ("kong.response.error", "92 cd01f7 a4646f776e"));
        await Terminal.RunAsync(k => k.Response.ErrorAsync(503, null, new Dictionary<string, string> { ["a"] = "b" }),
            ("kong.response.set_headers", "91 81 a161 a162"), ("kong.response.error", "91 cd01f7"));
    }

    [Fact]
    public async Task CallAfterExit_ThrowsEventEnded_NotHang()
    {
        Exception? after = null;
        await using FakeEvent ev = await FakeEvent.StartAsync(KongPhase.Access, async (kong, _) =>
        {
            try
            {
                await kong.Response.ExitAsync(403);
            }
            catch (KongEventEndedException)
            {
                try
                {
                    await kong.Request.GetPathAsync();
                }
                catch (Exception ex)
                {
                    after = ex;
                }
            }
        });
        Assert.Equal("kong.response.exit", ev.Current.Method);
        Assert.Null(await ev.Outcome.WaitAsync(PdkTestServer.Timeout));
        Assert.IsType<KongEventEndedException>(after);
    }
}
