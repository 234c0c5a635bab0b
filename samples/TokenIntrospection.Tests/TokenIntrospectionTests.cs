using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Kong.Pdk;
using Kong.Pdk.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace TokenIntrospection.Tests;

/// <summary>The sample's behaviour through the fake Kong and a fake introspection endpoint (no network).</summary>
public sealed class TokenIntrospectionTests
{
    private const string PluginCategory = "TokenIntrospection.TokenIntrospectionPlugin";

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token;

    [Fact(Timeout = 20_000)]
    public async Task NoAuthorizationHeader_Is401WithABearerChallenge_AndTheEndpointIsNeverAsked()
    {
        await using Gateway gateway = Gateway.Create();

        KongTestResult result = await gateway.Kong.RunAsync(KongTestRequest.Get("/orders"), Timeout);

        Assert.Equal(401, result.Response.Status);
        Assert.Equal(KongPhase.Access, result.ExitedIn);
        Assert.Null(result.UpstreamRequest);
        Assert.Equal("Bearer realm=\"kong\"", result.Response.Headers["www-authenticate"]);
        Assert.Equal("""{"message":"Unauthorized"}""", result.Response.BodyText);
        Assert.Equal(0, gateway.Endpoint.Calls);
    }

    [Theory(Timeout = 20_000)]
    [InlineData("Basic a2luZzpzZWNyZXQ=")]
    [InlineData("Bearer")]
    [InlineData("Bearer two tokens")]
    [InlineData("Bearer tok=en")]
    public async Task AMalformedAuthorizationHeader_Is401InvalidRequest(string authorization)
    {
        await using Gateway gateway = Gateway.Create();

        KongTestResult result = await gateway.Kong.RunAsync(KongTestRequest.Get("/").WithHeader("authorization", authorization), Timeout);

        Assert.Equal(401, result.Response.Status);
        Assert.Equal("Bearer realm=\"kong\", error=\"invalid_request\"", result.Response.Headers["www-authenticate"]);
        Assert.Equal(0, gateway.Endpoint.Calls);
    }

    [Fact(Timeout = 20_000)]
    public async Task AnInactiveToken_Is401InvalidToken_AndIsNotCached()
    {
        await using Gateway gateway = Gateway.Create();
        gateway.Endpoint.Respond = (_, _, _) => Task.FromResult(FakeIntrospectionEndpoint.Json("""{"active":false}"""));

        KongTestResult first = await gateway.Kong.RunAsync(Gateway.WithToken(), Timeout);
        KongTestResult second = await gateway.Kong.RunAsync(Gateway.WithToken(), Timeout);

        Assert.Equal(401, first.Response.Status);
        Assert.Null(first.UpstreamRequest);
        Assert.Equal("Bearer realm=\"kong\", error=\"invalid_token\"", first.Response.Headers["www-authenticate"]);
        Assert.Equal(401, second.Response.Status);
        Assert.Equal(2, gateway.Endpoint.Calls);
        Assert.All(gateway.Logs.WithEventId(PluginCategory, 6), r => Assert.Equal(TokenDecision.Inactive, r["Decision"]));
        Assert.Equal(2, gateway.Logs.WithEventId(PluginCategory, 6).Count());
    }

    [Fact(Timeout = 20_000)]
    public async Task AnActiveToken_SendsTheSubjectUpstream_AndTheSecondRequestIsServedFromTheCache()
    {
        await using Gateway gateway = Gateway.Create();
        gateway.Endpoint.Respond = (_, _, _) => Task.FromResult(FakeIntrospectionEndpoint.Active("alice"));

        KongTestResult first = await gateway.Kong.RunAsync(Gateway.WithToken().WithHeader("x-consumer-subject", "mallory"), Timeout);
        KongTestResult second = await gateway.Kong.RunAsync(Gateway.WithToken(), Timeout);

        Assert.Equal(200, first.Response.Status);
        Assert.Equal("alice", first.UpstreamRequest!.Headers["x-consumer-subject"]); // the client's value is replaced
        Assert.Equal(["alice"], first.UpstreamRequest.Headers.GetAll("x-consumer-subject"));
        Assert.Equal(200, second.Response.Status);
        Assert.Equal("alice", second.UpstreamRequest!.Headers["x-consumer-subject"]);
        Assert.Equal(1, gateway.Endpoint.Calls);

        // RFC 7662 §2.1: a form POST with the token, client credentials in HTTP Basic.
        (string? authorization, string body) = Assert.Single(gateway.Endpoint.Requests);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Gateway.ClientId + ":" + Gateway.Secret)), authorization);
        Assert.Equal($"token={Gateway.Token}&token_type_hint=access_token", body);
        Assert.Equal([false, true], gateway.Logs.WithEventId(PluginCategory, 7).Select(r => (bool)r["Cached"]!));
    }

    [Fact(Timeout = 20_000)]
    public async Task DifferentTokens_AreCachedSeparately_AndCacheTtlZeroAsksEveryTime()
    {
        await using Gateway gateway = Gateway.Create("\"cache_ttl\":0");
        gateway.Endpoint.Respond = (_, request, _) => Task.FromResult(FakeIntrospectionEndpoint.Active(
            request.Content!.ReadAsStringAsync().Result.Contains("token=one") ? "user-one" : "user-two"));

        KongTestResult one = await gateway.Kong.RunAsync(Gateway.WithToken("one"), Timeout);
        KongTestResult two = await gateway.Kong.RunAsync(Gateway.WithToken("two"), Timeout);
        KongTestResult oneAgain = await gateway.Kong.RunAsync(Gateway.WithToken("one"), Timeout);

        Assert.Equal("user-one", one.UpstreamRequest!.Headers["x-consumer-subject"]);
        Assert.Equal("user-two", two.UpstreamRequest!.Headers["x-consumer-subject"]);
        Assert.Equal("user-one", oneAgain.UpstreamRequest!.Headers["x-consumer-subject"]);
        Assert.Equal(3, gateway.Endpoint.Calls);
    }

    [Fact(Timeout = 20_000)]
    public async Task AnActiveTokenPastItsExp_Is401_AndIsNotCached()
    {
        await using Gateway gateway = Gateway.Create();
        long past = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds();
        gateway.Endpoint.Respond = (_, _, _) => Task.FromResult(FakeIntrospectionEndpoint.Active("alice", exp: past));

        KongTestResult first = await gateway.Kong.RunAsync(Gateway.WithToken(), Timeout);
        KongTestResult second = await gateway.Kong.RunAsync(Gateway.WithToken(), Timeout);

        Assert.Equal(401, first.Response.Status);
        Assert.Equal("Bearer realm=\"kong\", error=\"invalid_token\"", first.Response.Headers["www-authenticate"]);
        Assert.Equal(401, second.Response.Status);
        Assert.Equal(2, gateway.Endpoint.Calls);
    }

    [Fact]
    public void TheCacheLifetime_IsTheConfiguredTtl_CutAtTheTokensExp()
    {
        var now = new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(TimeSpan.FromSeconds(60), TokenIntrospectionPlugin.CacheLifetime(60, now.AddHours(1), now));
        Assert.Equal(TimeSpan.FromSeconds(60), TokenIntrospectionPlugin.CacheLifetime(60, null, now));
        Assert.Equal(TimeSpan.FromSeconds(15), TokenIntrospectionPlugin.CacheLifetime(60, now.AddSeconds(15), now));
        Assert.Equal(TimeSpan.Zero, TokenIntrospectionPlugin.CacheLifetime(60, now.AddSeconds(-1), now));
        Assert.Equal(TimeSpan.Zero, TokenIntrospectionPlugin.CacheLifetime(0, now.AddHours(1), now));
    }

    [Fact(Timeout = 20_000)]
    public async Task AMissingRequiredScope_Is403InsufficientScope_EvenFromTheCache()
    {
        await using Gateway gateway = Gateway.Create("\"required_scopes\":[\"orders:read\",\"orders:write\"]");
        gateway.Endpoint.Respond = (_, _, _) => Task.FromResult(FakeIntrospectionEndpoint.Active("alice", scope: "profile orders:read"));

        KongTestResult first = await gateway.Kong.RunAsync(Gateway.WithToken(), Timeout);
        KongTestResult second = await gateway.Kong.RunAsync(Gateway.WithToken(), Timeout);

        Assert.Equal(403, first.Response.Status);
        Assert.Equal("Bearer realm=\"kong\", error=\"insufficient_scope\"", first.Response.Headers["www-authenticate"]);
        Assert.Null(first.UpstreamRequest);
        Assert.Equal(403, second.Response.Status);
        Assert.Equal(1, gateway.Endpoint.Calls);
    }

    [Fact(Timeout = 20_000)]
    public async Task AllRequiredScopes_LetTheRequestThrough()
    {
        await using Gateway gateway = Gateway.Create("\"required_scopes\":[\"orders:read\",\"orders:write\"]");
        gateway.Endpoint.Respond = (_, _, _) => Task.FromResult(FakeIntrospectionEndpoint.Active("alice", scope: "orders:write profile orders:read"));

        KongTestResult result = await gateway.Kong.RunAsync(Gateway.WithToken(), Timeout);

        Assert.Equal(200, result.Response.Status);
        Assert.Equal("alice", result.UpstreamRequest!.Headers["x-consumer-subject"]);
    }

    [Fact(Timeout = 20_000)]
    public async Task AnEndpointThatNeverAnswers_Is503WithinTheConfiguredTimeout_FailingClosed()
    {
        await using Gateway gateway = Gateway.Create("\"timeout_ms\":200,\"retries\":0");
        gateway.Endpoint.Respond = (_, _, cancellationToken) => FakeIntrospectionEndpoint.Hang(cancellationToken);

        KongTestResult result = await gateway.Kong.RunAsync(Gateway.WithToken(), Timeout);

        Assert.Equal(503, result.Response.Status);
        Assert.Equal("""{"message":"Token introspection unavailable"}""", result.Response.BodyText);
        Assert.Null(result.UpstreamRequest); // fail closed: never proxied unchecked
        Assert.Equal(1, gateway.Endpoint.Calls);
        Assert.Equal(1, gateway.Endpoint.Cancelled); // the pipeline's timeout gave up on the call
        Assert.Single(gateway.Logs.WithEventId(PluginCategory, 1));
    }

    [Fact(Timeout = 20_000)]
    public async Task AnEndpointThatNeverAnswers_WithRetries_Is503_AndEveryAttemptIsCancelled()
    {
        await using Gateway gateway = Gateway.Create("\"timeout_ms\":300,\"retries\":2");
        gateway.Endpoint.Respond = (_, _, cancellationToken) => FakeIntrospectionEndpoint.Hang(cancellationToken);

        KongTestResult result = await gateway.Kong.RunAsync(Gateway.WithToken(), Timeout);

        Assert.Equal(503, result.Response.Status);
        Assert.InRange(gateway.Endpoint.Calls, 1, 3);
        Assert.Equal(gateway.Endpoint.Calls, gateway.Endpoint.Cancelled);
    }

    [Fact(Timeout = 20_000)]
    public async Task AnEndpoint500_IsRetried_AndTheSecondAnswerCounts()
    {
        await using Gateway gateway = Gateway.Create("\"timeout_ms\":5000,\"retries\":1");
        gateway.Endpoint.Respond = (call, _, _) => Task.FromResult(call == 1
            ? FakeIntrospectionEndpoint.Json("""{"error":"temporarily_unavailable"}""", HttpStatusCode.InternalServerError)
            : FakeIntrospectionEndpoint.Active("alice"));

        KongTestResult result = await gateway.Kong.RunAsync(Gateway.WithToken(), Timeout);

        Assert.Equal(200, result.Response.Status);
        Assert.Equal("alice", result.UpstreamRequest!.Headers["x-consumer-subject"]);
        Assert.Equal(2, gateway.Endpoint.Calls);
    }

    [Fact(Timeout = 20_000)]
    public async Task ARetry_IsReportedOnThePollyMeterAndInThePollyLog_WithThePipelinesName()
    {
        await using Gateway gateway = Gateway.Create("\"timeout_ms\":5000,\"retries\":1");
        gateway.Endpoint.Respond = (call, _, _) => Task.FromResult(call == 1
            ? FakeIntrospectionEndpoint.Json("{}", HttpStatusCode.ServiceUnavailable)
            : FakeIntrospectionEndpoint.Active("alice"));
        var events = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Polly's meter is process-wide (not from IMeterFactory); the pipeline's name tells this test's events apart.
            if (instrument.Meter.Name == "Polly" && instrument.Name == "resilience.polly.strategy.events") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<int>((_, _, tags, _) => Record(tags));
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) => Record(tags));
        listener.Start();

        KongTestResult result = await gateway.Kong.RunAsync(Gateway.WithToken(), Timeout);

        Assert.Equal(200, result.Response.Status);
        lock (events) Assert.Contains("OnRetry token-introspection-resilience/retry", events);
        Assert.Contains(gateway.Logs.Records, r => r.Category.StartsWith("Polly", StringComparison.Ordinal) && r.Message.Contains("OnRetry", StringComparison.Ordinal));

        void Record(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string name = "", pipeline = "", strategy = "";
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "event.name") name = tag.Value?.ToString() ?? "";
                if (tag.Key == "pipeline.name") pipeline = tag.Value?.ToString() ?? "";
                if (tag.Key == "strategy.name") strategy = tag.Value?.ToString() ?? "";
            }

            lock (events) events.Add($"{name} {pipeline}/{strategy}");
        }
    }

    [Fact(Timeout = 20_000)]
    public async Task AnEndpoint500_WithoutRetries_Is503_AndTheStatusIsLogged()
    {
        await using Gateway gateway = Gateway.Create("\"retries\":0");
        gateway.Endpoint.Respond = (_, _, _) => Task.FromResult(FakeIntrospectionEndpoint.Json("{}", HttpStatusCode.InternalServerError));

        KongTestResult result = await gateway.Kong.RunAsync(Gateway.WithToken(), Timeout);

        Assert.Equal(503, result.Response.Status);
        Assert.Equal(1, gateway.Endpoint.Calls);
        Assert.Equal(500, Assert.Single(gateway.Logs.WithEventId(PluginCategory, 2))["StatusCode"]);
    }

    [Fact(Timeout = 20_000)]
    public async Task AnEndpointThatRefusesTheClient_IsNotRetried_And503()
    {
        await using Gateway gateway = Gateway.Create("\"retries\":3");
        gateway.Endpoint.Respond = (_, _, _) => Task.FromResult(FakeIntrospectionEndpoint.Json("""{"error":"invalid_client"}""", HttpStatusCode.Unauthorized));

        KongTestResult result = await gateway.Kong.RunAsync(Gateway.WithToken(), Timeout);

        Assert.Equal(503, result.Response.Status);
        Assert.Equal(1, gateway.Endpoint.Calls); // 401 is not transient
    }

    [Fact(Timeout = 20_000)]
    public async Task AnUnreachableEndpoint_IsRetriedThen503_LoggingTheErrorKind()
    {
        await using Gateway gateway = Gateway.Create("\"timeout_ms\":5000,\"retries\":1");
        gateway.Endpoint.Respond = (_, _, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (idp.example:443)");

        KongTestResult result = await gateway.Kong.RunAsync(Gateway.WithToken(), Timeout);

        Assert.Equal(503, result.Response.Status);
        Assert.Equal(2, gateway.Endpoint.Calls);
        Assert.Equal(HttpRequestError.ConnectionError, Assert.Single(gateway.Logs.WithEventId(PluginCategory, 3))["RequestError"]);
    }

    [Theory(Timeout = 20_000)]
    [InlineData("http://[bad")]
    [InlineData("ftp://idp.example/introspect")]
    public async Task AnIntrospectionUrlThatIsNotAnHttpUrl_Is503_WithoutACall_AndLoggedAsAnError(string url)
    {
        // Kong's schema (match ^https?://.+) refuses most of these before the plugin sees them; the plugin still fails closed.
        await using Gateway gateway = Gateway.Create($$"""{"introspection_url":"{{url}}"}""", replaceFields: true);

        KongTestResult result = await gateway.Kong.RunAsync(Gateway.WithToken(), Timeout);

        Assert.Equal(503, result.Response.Status);
        Assert.Equal(0, gateway.Endpoint.Calls);
        CapturedLogs.Record record = Assert.Single(gateway.Logs.WithEventId(PluginCategory, 5));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, record.Level);
        Assert.DoesNotContain(url, gateway.Logs.AllText());
    }

    [Theory(Timeout = 20_000)]
    [InlineData("not json")]
    [InlineData("""{"active":"yes"}""")]
    [InlineData("null")]
    public async Task AnAnswerThatIsNotAnIntrospectionResponse_Is503(string body)
    {
        await using Gateway gateway = Gateway.Create("\"retries\":0");
        gateway.Endpoint.Respond = (_, _, _) => Task.FromResult(FakeIntrospectionEndpoint.Json(body));

        KongTestResult result = await gateway.Kong.RunAsync(Gateway.WithToken(), Timeout);

        Assert.Equal(503, result.Response.Status);
        Assert.Single(gateway.Logs.WithEventId(PluginCategory, 4));
    }

    [Fact(Timeout = 30_000)]
    public async Task TheTokenAndTheClientSecret_NeverReachTheLogs()
    {
        await using Gateway gateway = Gateway.Create("\"timeout_ms\":300,\"retries\":1");
        Func<int, HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>[] answers =
        [
            (_, _, _) => Task.FromResult(FakeIntrospectionEndpoint.Active("alice")),
            (_, _, _) => Task.FromResult(FakeIntrospectionEndpoint.Json("""{"active":false}""")),
            (_, _, _) => Task.FromResult(FakeIntrospectionEndpoint.Json("{}", HttpStatusCode.BadGateway)),
            (_, _, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"),
            (_, _, cancellationToken) => FakeIntrospectionEndpoint.Hang(cancellationToken),
            (_, _, _) => Task.FromResult(FakeIntrospectionEndpoint.Json("not json")),
        ];

        int i = 0;
        foreach (Func<int, HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer in answers)
        {
            gateway.Endpoint.Respond = answer;
            await gateway.Kong.RunAsync(Gateway.WithToken(Gateway.Token + "-" + i++), Timeout); // a new token: never cached
        }

        await gateway.Kong.RunAsync(KongTestRequest.Get("/").WithHeader("authorization", "Bearer " + Gateway.Token + " junk"), Timeout);

        string logs = gateway.Logs.AllText() + gateway.Kong.ServerOutput;
        Assert.NotEmpty(gateway.Logs.Records);
        Assert.Contains("could not be reached", logs); // the failures were logged ...
        Assert.DoesNotContain(Gateway.Token, logs);    // ... without the token,
        Assert.DoesNotContain(Gateway.Secret, logs);   // the secret,
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Gateway.ClientId + ":" + Gateway.Secret)), logs);
        Assert.DoesNotContain("/oauth2/introspect", logs); // or the configured URL
    }

    [Fact(Timeout = 20_000)]
    public async Task TheDecisionsCounter_CountsByDecisionAndCacheUse()
    {
        await using Gateway gateway = Gateway.Create();
        gateway.Endpoint.Respond = (_, _, _) => Task.FromResult(FakeIntrospectionEndpoint.Active("alice"));
        IMeterFactory factory = gateway.Services.GetRequiredService<IMeterFactory>();
        var seen = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Name == "token_introspection.decisions") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string decision = "", cached = "";
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "token_introspection.decision") decision = (string)tag.Value!;
                if (tag.Key == "token_introspection.cached") cached = tag.Value!.ToString()!;
            }

            lock (seen) seen.Add($"{decision} cached={cached} +{value}");
        });
        listener.Start();

        await gateway.Kong.RunAsync(KongTestRequest.Get("/"), Timeout);
        await gateway.Kong.RunAsync(Gateway.WithToken(), Timeout);
        await gateway.Kong.RunAsync(Gateway.WithToken(), Timeout);

        Assert.Equal(["missing cached=False +1", "accepted cached=False +1", "accepted cached=True +1"], seen);
    }
}
