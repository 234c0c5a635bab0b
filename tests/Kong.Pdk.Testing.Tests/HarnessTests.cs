using System.Text;
using System.Text.Json;
using Kong.Pdk.Hosting;
using Xunit;

namespace Kong.Pdk.Testing.Tests;

public sealed class HarnessTests
{
    private static readonly KongPhase[] AllPhases = [KongPhase.Log, KongPhase.Response, KongPhase.Access, KongPhase.Rewrite, KongPhase.Certificate];

    [Fact(Timeout = 20_000)]
    public async Task Phases_run_in_Kongs_order_and_certificate_only_over_tls()
    {
        TestPlugin plugin = TestPlugin.For(AllPhases, async (phase, kong, ct) => await kong.Log.InfoAsync("in " + phase.ToWireName(), ct));
        await using PluginTestHost host = PluginTestHost.Create(plugin);

        KongTestResult tls = await host.RunAsync(KongTestRequest.Get("https://api.example.com/"), Bounded.Token);
        Assert.Equal([KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Log], tls.Phases);
        Assert.Equal(["in certificate", "in rewrite", "in access", "in response", "in log"], tls.Logs.Select(l => l.Message));
        Assert.All(tls.Logs, l => Assert.Equal("info", l.Level));
        Assert.Equal(tls.Phases, tls.Logs.Select(l => l.Phase));

        KongTestResult plain = await host.RunAsync(KongTestRequest.Get("http://api.example.com/"), Bounded.Token);
        Assert.Equal([KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Log], plain.Phases);
        Assert.Equal(200, plain.Response.Status);
    }

    [Fact(Timeout = 20_000)]
    public async Task Only_declared_phases_run()
    {
        await using PluginTestHost host = PluginTestHost.Create(TestPlugin.For(KongPhase.Access));
        KongTestResult result = await host.RunAsync(KongTestRequest.Get("https://example.com/"), Bounded.Token);
        Assert.Equal([KongPhase.Access], result.Phases);
        Assert.Empty(result.Calls);
        Assert.NotNull(result.UpstreamRequest);
    }

    [Fact(Timeout = 20_000)]
    public async Task Exit_skips_upstream_and_response_but_log_still_runs_on_saved_data()
    {
        int upstreamCalls = 0;
        int? statusSeenInLog = null;
        string? sourceSeenInLog = null;
        TestPlugin plugin = TestPlugin.For([KongPhase.Access, KongPhase.Response, KongPhase.Log], async (phase, kong, ct) =>
        {
            if (phase == KongPhase.Access)
            {
                await kong.Response.ExitAsync(403, "denied", new Dictionary<string, string> { ["x-exit"] = "yes" }, ct);
                throw new InvalidOperationException("code after an exit must not run");
            }

            if (phase == KongPhase.Response) throw new InvalidOperationException("no response phase after an exit");
            statusSeenInLog = await kong.Response.GetStatusAsync(ct);
            sourceSeenInLog = await kong.Response.GetSourceAsync(ct);
        });
        await using PluginTestHost host = PluginTestHost.Create(plugin);
        host.Upstream = (_, _) =>
        {
            upstreamCalls++;
            return ValueTask.FromResult(new KongUpstreamResponse(200));
        };

        KongTestResult result = await host.RunAsync(KongTestRequest.Get("/exit"), Bounded.Token);

        Assert.Equal([KongPhase.Access, KongPhase.Log], result.Phases);
        Assert.Equal(KongPhase.Access, result.ExitedIn);
        Assert.Equal(0, upstreamCalls);
        Assert.Null(result.UpstreamRequest);
        Assert.Equal(403, result.Response.Status);
        Assert.Equal("denied", result.Response.BodyText);
        Assert.Equal("yes", result.Response.Headers["x-exit"]);
        Assert.Equal("exit", result.Response.Source);
        Assert.Equal(403, statusSeenInLog);
        Assert.Equal("exit", sourceSeenInLog);
        KongPdkCall exit = Assert.Single(result.CallsTo("kong.response.exit"));
        Assert.Equal(403L, exit.Args[0]);
        Assert.Equal("denied", exit.Args[1]);
    }

    [Fact(Timeout = 20_000)]
    public async Task Exit_with_a_table_body_is_json()
    {
        TestPlugin plugin = TestPlugin.For([KongPhase.Rewrite], (_, kong, ct) =>
            kong.Response.ExitJsonAsync(418, KongValue.Map([new KeyValuePair<string, KongValue>("teapot", true)]), cancellationToken: ct));
        await using PluginTestHost host = PluginTestHost.Create(plugin);
        KongTestResult result = await host.RunAsync(KongTestRequest.Get("/"), Bounded.Token);
        Assert.Equal(418, result.Response.Status);
        Assert.Equal("""{"teapot":true}""", result.Response.BodyText);
        Assert.StartsWith("application/json", result.Response.Headers["content-type"]);
    }

    [Fact(Timeout = 20_000)]
    public async Task Response_phase_sees_the_buffered_upstream_response_and_can_replace_it()
    {
        byte[]? bodySeen = null;
        int? serviceStatus = null;
        string? serviceHeader = null;
        TestPlugin plugin = TestPlugin.For([KongPhase.Response], async (_, kong, ct) =>
        {
            bodySeen = (await kong.CallAsync("kong.service.response.get_raw_body", [], ct)).GetRawBytes().ToArray();
            serviceStatus = (int)(await kong.CallAsync("kong.service.response.get_status", [], ct)).AsInt64();
            serviceHeader = (await kong.CallAsync("kong.service.response.get_header", ["x-upstream"], ct)).AsStringOrNull();
            await kong.Response.ExitAsync(200, Encoding.UTF8.GetString(bodySeen).ToUpperInvariant(), cancellationToken: ct);
        });
        await using PluginTestHost host = PluginTestHost.Create(plugin);
        KongTestRequest request = KongTestRequest.Get("/r").WithUpstream(_ => KongUpstreamResponse.Text(201, "upstream body").WithHeader("x-upstream", "1"));

        KongTestResult result = await host.RunAsync(request, Bounded.Token);

        Assert.Equal("upstream body", Encoding.UTF8.GetString(bodySeen!));
        Assert.Equal(201, serviceStatus);
        Assert.Equal("1", serviceHeader);
        Assert.Equal("UPSTREAM BODY", result.Response.BodyText);
        Assert.Equal(200, result.Response.Status);
        Assert.Equal("upstream body", Encoding.UTF8.GetString(result.UpstreamResponse!.Body));
        Assert.Equal([KongPhase.Response], result.Phases);
        Assert.Null(result.ExitedIn is KongPhase.Access ? "" : null);
    }

    [Fact(Timeout = 20_000)]
    public async Task Service_response_functions_are_rejected_outside_the_response_phase()
    {
        TestPlugin plugin = TestPlugin.For([KongPhase.Access], async (_, kong, ct) => await kong.CallAsync("kong.service.response.get_raw_body", [], ct));
        await using PluginTestHost host = PluginTestHost.Create(plugin);
        KongTestException ex = await Assert.ThrowsAsync<KongTestException>(() => host.RunAsync(KongTestRequest.Get("/"), Bounded.Token));
        Assert.Equal("kong.service.response.get_raw_body", ex.Method);
        Assert.Equal(KongPhase.Access, ex.Phase);
        Assert.Contains("access", ex.Message);
        Assert.Contains("allowed in: response", ex.Message);
    }

    [Fact(Timeout = 20_000)]
    public async Task Echo_upstream_sees_the_request_as_changed_by_service_request_calls()
    {
        TestPlugin plugin = TestPlugin.For([KongPhase.Access], async (_, kong, ct) =>
        {
            await kong.CallAsync("kong.service.request.set_method", ["POST"], ct);
            await kong.CallAsync("kong.service.request.set_path", ["/v2/items"], ct);
            await kong.CallAsync("kong.service.request.set_raw_query", ["limit=5"], ct);
            await kong.CallAsync("kong.service.request.set_header", ["x-added", "1"], ct);
            await kong.CallAsync("kong.service.request.add_header", ["x-tag", "b"], ct);
            await kong.CallAsync("kong.service.request.clear_header", ["x-secret"], ct);
            await kong.CallAsync("kong.service.request.set_raw_body", ["new body"], ct);
        });
        await using PluginTestHost host = PluginTestHost.Create(plugin);
        KongTestRequest request = KongTestRequest.Get("http://api.example.com/v1/items?limit=10")
            .WithHeader("x-tag", "a").WithHeader("x-secret", "s");

        KongTestResult result = await host.RunAsync(request, Bounded.Token);

        KongUpstreamRequest upstream = result.UpstreamRequest!;
        Assert.Equal("POST", upstream.Method);
        Assert.Equal("/v2/items", upstream.Path);
        Assert.Equal("5", upstream.GetQueryArg("limit"));
        Assert.Equal("1", upstream.Headers["x-added"]);
        Assert.Equal(["a", "b"], upstream.Headers.GetAll("X-Tag"));
        Assert.False(upstream.Headers.Contains("x-secret"));
        Assert.Equal("new body", upstream.BodyText);
        Assert.Equal("httpbin.internal", upstream.Headers["host"]);
        Assert.Equal("192.0.2.10", upstream.Headers["x-forwarded-for"]);
        Assert.Equal("api.example.com", upstream.Headers["x-forwarded-host"]);

        Assert.Equal(200, result.Response.Status);
        Assert.Equal("service", result.Response.Source);
        using JsonDocument echo = JsonDocument.Parse(result.Response.Body);
        Assert.Equal("POST", echo.RootElement.GetProperty("method").GetString());
        Assert.Equal("/v2/items", echo.RootElement.GetProperty("path").GetString());
        Assert.Equal("limit=5", echo.RootElement.GetProperty("query").GetString());
        Assert.Equal("new body", echo.RootElement.GetProperty("body").GetString());
        Assert.Equal(2, echo.RootElement.GetProperty("headers").GetProperty("x-tag").GetArrayLength());
    }

    [Fact(Timeout = 20_000)]
    public async Task Custom_upstream_from_the_host_and_response_headers_set_in_access_override_it()
    {
        TestPlugin plugin = TestPlugin.For([KongPhase.Access], async (_, kong, ct) =>
        {
            await kong.Response.SetHeaderAsync("x-served-by", "plugin", ct);
            await kong.Response.ClearHeaderAsync("x-internal", ct);
        });
        await using PluginTestHost host = PluginTestHost.Create(plugin);
        KongUpstreamRequest? seen = null;
        host.Upstream = (request, _) =>
        {
            seen = request;
            return ValueTask.FromResult(KongUpstreamResponse.Json(404, """{"error":"none"}""")
                .WithHeader("x-served-by", "upstream").WithHeader("x-internal", "1").WithHeader("x-kept", "1"));
        };

        KongTestResult result = await host.RunAsync(KongTestRequest.Post("/items", "payload", "text/plain"), Bounded.Token);

        Assert.Equal("payload", seen!.BodyText);
        Assert.Equal("7", seen.Headers["content-length"]);
        Assert.Equal(404, result.Response.Status);
        Assert.Equal("""{"error":"none"}""", result.Response.BodyText);
        Assert.Equal(["plugin"], result.Response.Headers.GetAll("x-served-by"));
        Assert.False(result.Response.Headers.Contains("x-internal"));
        Assert.Equal("1", result.Response.Headers["x-kept"]);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_call_Kong_forbids_in_the_phase_fails_the_run_with_the_phase()
    {
        TestPlugin plugin = TestPlugin.For([KongPhase.Log], async (_, kong, ct) => await kong.CallAsync("kong.request.get_path", [], ct));
        await using PluginTestHost host = PluginTestHost.Create(plugin);

        KongTestException ex = await Assert.ThrowsAsync<KongTestException>(() => host.RunAsync(KongTestRequest.Get("/p"), Bounded.Token));

        Assert.Equal(KongPhase.Log, ex.Phase);
        Assert.Equal("kong.request.get_path", ex.Method);
        Assert.Contains("kong.request.get_path in the log phase", ex.Message);
        Assert.Contains("rewrite, access, response", ex.Message);
    }

    [Fact(Timeout = 20_000)]
    public async Task The_typed_api_refuses_a_forbidden_call_before_sending_it()
    {
        Exception? thrown = null;
        TestPlugin plugin = TestPlugin.For([KongPhase.Log], async (_, kong, ct) =>
        {
            try
            {
                await kong.Request.GetPathAsync(ct);
            }
            catch (KongPdkException ex)
            {
                thrown = ex;
            }
        });
        await using PluginTestHost host = PluginTestHost.Create(plugin);
        KongTestResult result = await host.RunAsync(KongTestRequest.Get("/p"), Bounded.Token);
        Assert.IsType<KongPdkException>(thrown);
        Assert.Empty(result.Calls);
    }

    [Fact(Timeout = 20_000)]
    public async Task An_unimplemented_call_fails_the_run_with_the_method_name()
    {
        TestPlugin plugin = TestPlugin.For([KongPhase.Access], async (_, kong, ct) => await kong.CallAsync("kong.nonexistent.method", ["x"], ct));
        await using PluginTestHost host = PluginTestHost.Create(plugin);

        KongTestException ex = await Assert.ThrowsAsync<KongTestException>(() => host.RunAsync(KongTestRequest.Get("/"), Bounded.Token));

        Assert.Equal("kong.nonexistent.method", ex.Method);
        Assert.Contains("kong.nonexistent.method", ex.Message);
        Assert.Contains("does not implement", ex.Message);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_test_can_register_a_function_the_fake_lacks()
    {
        TestPlugin plugin = TestPlugin.For([KongPhase.Access], async (_, kong, ct) =>
        {
            KongValue answer = await kong.CallAsync("kong.future.answer", [41], ct);
            await kong.Response.SetHeaderAsync("x-answer", answer.AsInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        });
        await using PluginTestHost host = PluginTestHost.Create(plugin);
        host.Pdk.Register("kong.future.answer", PdkPhaseSet.Access, call => call.RequiredInt(0) + 1);

        KongTestResult result = await host.RunAsync(KongTestRequest.Get("/"), Bounded.Token);

        Assert.Equal("42", result.Response.Headers["x-answer"]);
        Assert.Equal(42L, result.CallsTo("kong.future.answer").Single().Result);
    }

    [Fact(Timeout = 20_000)]
    public async Task Multi_valued_headers_arrive_as_Kong_sends_them()
    {
        KongMultiMap? headers = null;
        string? first = null;
        TestPlugin plugin = TestPlugin.For([KongPhase.Access], async (_, kong, ct) =>
        {
            headers = await kong.Request.GetHeadersAsync(ct);
            first = await kong.Request.GetHeaderAsync("x-multi", ct);
            await kong.Response.AddHeaderAsync("x-out", "1", ct);
            await kong.Response.AddHeaderAsync("x-out", "2", ct);
        });
        await using PluginTestHost host = PluginTestHost.Create(plugin);
        KongTestRequest request = KongTestRequest.Get("/headers")
            .WithHeader("X-Multi", "one").WithHeader("x-multi", "two").WithHeader("X-MULTI", "three")
            .WithHeader("X-Mixed-Case", "v");

        KongTestResult result = await host.RunAsync(request, Bounded.Token);

        Assert.Equal(["one", "two", "three"], headers!["x-multi"]);
        Assert.Equal(["v"], headers["X-Mixed-Case"]);
        Assert.Equal(["example.com"], headers["host"]);
        Assert.Equal("one", first);
        Assert.Equal(["1", "2"], result.Response.Headers.GetAll("x-out"));
        Assert.Equal("plugin.StepMultiMap", host.Pdk.TryGet("kong.request.get_headers", out FakePdkFunction f) ? f.StepMethod : null);
    }

    [Fact(Timeout = 20_000)]
    public async Task Query_arguments_repeated_valueless_empty_and_encoded()
    {
        KongMultiMap? query = null;
        KongValue? flag = null;
        TestPlugin plugin = TestPlugin.For([KongPhase.Access], async (_, kong, ct) =>
        {
            query = await kong.Request.GetQueryAsync(ct);
            flag = await kong.CallAsync("kong.request.get_query_arg", ["flag"], ct);
        });
        await using PluginTestHost host = PluginTestHost.Create(plugin);

        KongTestResult result = await host.RunAsync(KongTestRequest.Get("/query?a=1&a=2&flag&empty=&b=x%20y"), Bounded.Token);

        Assert.Equal(["1", "2"], query!["a"]);
        Assert.Empty(query["flag"]);
        Assert.Equal([""], query["empty"]);
        Assert.Equal(["x y"], query["b"]);
        Assert.True(flag!.AsBoolean());
        Assert.Equal("a=1&a=2&flag&empty=&b=x%20y", result.UpstreamRequest!.RawQuery);
    }

    [Fact(Timeout = 20_000)]
    public async Task Raw_body_bytes_round_trip_as_bin()
    {
        byte[] body = [.. Enumerable.Range(0, 256).Select(i => (byte)i), 0xFF, 0xFE, 0x80, 0xC3];
        byte[]? seen = null;
        TestPlugin plugin = TestPlugin.For([KongPhase.Access], async (_, kong, ct) =>
        {
            seen = await kong.Request.GetRawBodyAsync(ct);
            byte[] reversed = [.. seen.Reverse()];
            await kong.CallAsync("kong.service.request.set_raw_body", [reversed], ct);
        });
        await using PluginTestHost host = PluginTestHost.Create(plugin);

        KongTestResult result = await host.RunAsync(KongTestRequest.Create("POST", "/binary").WithBody(body, "application/octet-stream"), Bounded.Token);

        Assert.Equal(body, seen);
        Assert.Equal(body.Reverse(), result.UpstreamRequest!.Body);
        KongPdkCall call = Assert.Single(result.CallsTo("kong.request.get_raw_body"));
        Assert.Equal([0L], call.Args); // the typed API always passes a file-size limit (kong-protocol.md §6.3)
        Assert.IsType<byte[]>(result.CallsTo("kong.service.request.set_raw_body").Single().Args[0]);
    }

    [Fact(Timeout = 20_000)]
    public async Task Ctx_shared_carries_values_across_phases_and_starts_from_the_request()
    {
        string? userInLog = null;
        KongValue? structuredInLog = null;
        string? fromLua = null;
        TestPlugin plugin = TestPlugin.For([KongPhase.Access, KongPhase.Log], async (phase, kong, ct) =>
        {
            if (phase == KongPhase.Access)
            {
                fromLua = (await kong.CallAsync("kong.ctx.shared.get", ["set-by-lua"], ct)).AsStringOrNull();
                await kong.CallAsync("kong.ctx.shared.set", ["user", "alice"], ct);
                await kong.CallAsync("kong.ctx.shared.set", ["info", KongValue.Map([new KeyValuePair<string, KongValue>("n", 3), new KeyValuePair<string, KongValue>("tags", KongValue.List("a", "b"))])], ct);
            }
            else
            {
                userInLog = (await kong.CallAsync("kong.ctx.shared.get", ["user"], ct)).AsStringOrNull();
                structuredInLog = await kong.CallAsync("kong.ctx.shared.get", ["info"], ct);
            }
        });
        await using PluginTestHost host = PluginTestHost.Create(plugin);

        KongTestResult result = await host.RunAsync(KongTestRequest.Get("/ctx").WithShared("set-by-lua", "hello"), Bounded.Token);

        Assert.Equal("hello", fromLua);
        Assert.Equal("alice", userInLog);
        Assert.Equal(3, structuredInLog!["n"].AsInt64());
        Assert.Equal("b", structuredInLog["tags"][1].AsString());
        Assert.Equal("alice", result.Shared["user"]);
        var info = Assert.IsType<Dictionary<string, object?>>(result.Shared["info"]);
        Assert.Equal(3L, info["n"]);
    }

    [Fact(Timeout = 20_000)]
    public async Task Logs_are_captured_with_level_and_phase_and_arguments_are_concatenated()
    {
        TestPlugin plugin = TestPlugin.For([KongPhase.Access, KongPhase.Log], async (phase, kong, ct) =>
        {
            if (phase == KongPhase.Access)
            {
                await kong.Log.WarnAsync("slow upstream", ct);
                await kong.CallAsync("kong.log.err", ["code=", 42, " retry=", true], ct);
            }
            else
            {
                await kong.Log.NoticeAsync("done", ct);
                string serialized = (await kong.CallAsync("kong.log.serialize", [], ct)).AsString();
                using JsonDocument doc = JsonDocument.Parse(serialized);
                await kong.Log.DebugAsync("status " + doc.RootElement.GetProperty("response").GetProperty("status").GetInt32(), ct);
            }
        });
        await using PluginTestHost host = PluginTestHost.Create(plugin);

        KongTestResult result = await host.RunAsync(KongTestRequest.Get("/log"), Bounded.Token);

        Assert.Equal(
            [new KongLogEntry(KongPhase.Access, "warn", "slow upstream"), new KongLogEntry(KongPhase.Access, "err", "code=42 retry=true"),
             new KongLogEntry(KongPhase.Log, "notice", "done"), new KongLogEntry(KongPhase.Log, "debug", "status 200")],
            result.Logs);
        Assert.Equal(["code=42 retry=true"], result.LogsAt("err"));
    }

    [Fact(Timeout = 20_000)]
    public async Task An_unhandled_exception_fails_closed_and_log_still_runs()
    {
        TestPlugin plugin = TestPlugin.For([KongPhase.Access, KongPhase.Log], (phase, kong, ct) =>
            phase == KongPhase.Access ? throw new InvalidOperationException("boom") : kong.Log.InfoAsync("log ran", ct));
        await using PluginTestHost host = PluginTestHost.Create(plugin);

        KongTestResult result = await host.RunAsync(KongTestRequest.Get("/"), Bounded.Token);

        Assert.Equal(500, result.Response.Status);
        Assert.Equal("error", result.Response.Source);
        Assert.Contains("An unexpected error occurred", result.Response.BodyText);
        Assert.Contains(result.Logs, l => l.Level == "err" && l.Message.Contains("InvalidOperationException"));
        Assert.Equal("log ran", result.Logs[^1].Message);
        Assert.Contains("boom", host.ServerOutput);
    }

    [Fact(Timeout = 20_000)]
    public async Task Entities_node_and_vault_have_defaults_a_request_can_override()
    {
        var seen = new Dictionary<string, string?>();
        TestPlugin plugin = TestPlugin.For([KongPhase.Access], async (_, kong, ct) =>
        {
            seen["consumer"] = (await kong.CallAsync("kong.client.get_consumer", [], ct))["username"].AsStringOrNull();
            seen["route"] = (await kong.CallAsync("kong.router.get_route", [], ct))["name"].AsStringOrNull();
            seen["node"] = (await kong.CallAsync("kong.node.get_id", [], ct)).AsStringOrNull();
            seen["secret"] = (await kong.CallAsync("kong.vault.get", ["{vault://env/api-key}"], ct)).AsStringOrNull();
            seen["ip"] = (await kong.CallAsync("kong.client.get_ip", [], ct)).AsStringOrNull();
            seen["var"] = (await kong.CallAsync("kong.nginx.get_var", ["request_uri"], ct)).AsStringOrNull();
            seen["plugin"] = (await kong.CallAsync("kong.plugin.get_id", [], ct)).AsStringOrNull();
        });
        await using PluginTestHost host = PluginTestHost.Create(plugin);
        KongTestRequest request = KongTestRequest.Get("/a?b=c")
            .WithConsumer(KongEntities.Consumer(username: "bob"))
            .WithNodeId("node-1")
            .WithVaultReference("{vault://env/api-key}", "s3cr3t")
            .WithClient("203.0.113.7");

        await host.RunAsync(request, Bounded.Token);

        Assert.Equal("bob", seen["consumer"]);
        Assert.Equal("test-route", seen["route"]);
        Assert.Equal("node-1", seen["node"]);
        Assert.Equal("s3cr3t", seen["secret"]);
        Assert.Equal("203.0.113.7", seen["ip"]);
        Assert.Equal("/a?b=c", seen["var"]);
        Assert.Equal(new PluginTestHostOptions().PluginId, seen["plugin"]);
    }

    [Fact(Timeout = 20_000)]
    public async Task Config_reaches_the_instance_with_Kongs_keys_and_the_instance_is_started_once()
    {
        TestPlugin plugin = TestPlugin.For(KongPhase.Access);
        await using PluginTestHost host = PluginTestHost.Create(plugin, new Dictionary<string, object?> { ["message"] = "hi", ["count"] = 3 }, new PluginTestHostOptions { ConfigSequence = 17 });

        await host.RunAsync(KongTestRequest.Get("/"), Bounded.Token);
        await host.RunAsync(KongTestRequest.Get("/"), Bounded.Token);

        Assert.Equal(17, host.InstanceId);
        using JsonDocument config = JsonDocument.Parse(plugin.LastConfigJson!);
        Assert.Equal("hi", config.RootElement.GetProperty("message").GetString());
        Assert.Equal(3, config.RootElement.GetProperty("count").GetInt32());
        Assert.Equal(17, config.RootElement.GetProperty("__seq__").GetInt32());
    }

    [Fact(Timeout = 20_000)]
    public async Task Every_call_is_recorded_in_order_with_its_phase_and_decoded_args()
    {
        TestPlugin plugin = TestPlugin.For([KongPhase.Rewrite, KongPhase.Access], async (phase, kong, ct) =>
        {
            if (phase == KongPhase.Rewrite) await kong.Request.GetHeaderAsync("host", ct);
            else await kong.Response.SetHeaderAsync("x-n", 5, ct);
        });
        await using PluginTestHost host = PluginTestHost.Create(plugin, "{}", new PluginTestHostOptions { ConnectionPerCall = true });

        KongTestResult result = await host.RunAsync(KongTestRequest.Get("/"), Bounded.Token);

        Assert.Collection(result.Calls,
            c =>
            {
                Assert.Equal((KongPhase.Rewrite, "kong.request.get_header"), (c.Phase, c.Method));
                Assert.Equal(["host"], c.Args);
                Assert.Equal("example.com", c.Result);
            },
            c =>
            {
                Assert.Equal((KongPhase.Access, "kong.response.set_header"), (c.Phase, c.Method));
                Assert.Equal(["x-n", 5L], c.Args);
            });
        Assert.Equal("5", result.Response.Headers["x-n"]);
    }

    [Fact(Timeout = 20_000)]
    public async Task Runs_on_one_host_can_be_concurrent()
    {
        TestPlugin plugin = TestPlugin.For([KongPhase.Access], async (_, kong, ct) =>
            await kong.Response.SetHeaderAsync("x-path", await kong.Request.GetPathAsync(ct), ct));
        await using PluginTestHost host = PluginTestHost.Create(plugin);

        KongTestResult[] results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => host.RunAsync(KongTestRequest.Get("/p" + i), Bounded.Token)));

        for (int i = 0; i < results.Length; i++) Assert.Equal("/p" + i, results[i].Response.Headers["x-path"]);
    }

    [Fact]
    public void Values_are_written_as_Kong_writes_them()
    {
        Assert.Equal([0x01], MsgPackValue.Encode(1.0));
        Assert.Equal([0x90], MsgPackValue.Encode(new Dictionary<string, object?>()));
        Assert.Equal([0x80], MsgPackValue.Encode(new KongMultiMapValue()));
        Assert.Equal([0xC4, 0x02, 0x68, 0x69], MsgPackValue.Encode("hi"u8.ToArray()));
        byte[] str40 = MsgPackValue.Encode(new string('a', 40));
        Assert.Equal(0xDA, str40[0]); // never str8
        Assert.Equal("\uFFFD\uFFFD", MsgPackValue.Decode(new byte[] { 0xA2, 0xFF, 0xFE }));
    }
}
