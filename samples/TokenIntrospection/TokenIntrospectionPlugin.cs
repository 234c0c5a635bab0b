using Kong.Pdk;
using Microsoft.Extensions.Logging;

namespace TokenIntrospection;

/// <summary>
/// Validates the request's OAuth 2.0 bearer token against an RFC 7662 introspection endpoint, in <c>access</c>:
/// <list type="bullet">
/// <item>no <c>Authorization: Bearer</c> token, or a malformed one: 401 with <c>WWW-Authenticate</c>;</item>
/// <item>the endpoint says the token is inactive (or it has expired): 401; it lacks a required scope: 403;</item>
/// <item>the endpoint cannot answer within <c>timeout_ms</c> (down, slow, 5xx after the retries, a body that is not
/// an introspection response): 503. The plugin fails closed: a request is never let through unchecked;</item>
/// <item>an active token: the subject goes to the upstream in <c>subject_header</c>, and the answer is cached
/// (<see cref="TokenCache"/>) for <c>cache_ttl</c> seconds at most, never past the token's <c>exp</c>.</item>
/// </list>
/// </summary>
/// <remarks>
/// Services (docs/dependency-injection.md, "Lifetimes"): <see cref="IntrospectionClient"/> and
/// <see cref="TokenCache"/> are singletons shared by every instance (the HTTP connections and the cache are
/// process-wide); <see cref="KongInstanceInfo"/> is scoped to this instance, one Kong configuration of the plugin. The
/// configuration properties below are bound after the constructor ran, once per instance.
/// </remarks>
[KongPlugin("token-introspection", Version = "1.0.0", Priority = 1010)]
public sealed partial class TokenIntrospectionPlugin(
    IntrospectionClient introspection,
    TokenCache cache,
    TokenIntrospectionMetrics metrics,
    TimeProvider time,
    KongInstanceInfo instance,
    ILogger<TokenIntrospectionPlugin> logger)
{
    [KongDescription("The RFC 7662 token introspection endpoint (http or https URL) the plugin asks about each new token.")]
    [KongLuaPattern("^https?://.+")]
    public required string IntrospectionUrl { get; set; }

    [KongDescription("Client id for HTTP Basic authentication at the introspection endpoint; unset sends no credentials.")]
    public string? ClientId { get; set; }

    [KongDescription("Client secret for HTTP Basic authentication at the introspection endpoint; never logged.")]
    [KongReferenceable]
    [KongEncrypted]
    public string? ClientSecret { get; set; }

    [KongDescription("Time budget of one introspection in milliseconds, retries included; past it the request gets 503.")]
    [KongBetween(1, 10_000)]
    public int TimeoutMs { get; set; } = 2_000;

    [KongDescription("How often a failed introspection (connection error, timeout, 408, 429, 5xx) is retried within timeout_ms.")]
    [KongBetween(0, 3)]
    public int Retries { get; set; } = 1;

    [KongDescription("How long an active token's introspection result is cached, in seconds, never past its exp; 0 disables the cache.")]
    [KongBetween(0, 86_400)]
    public int CacheTtl { get; set; } = 60;

    [KongDescription("Upstream request header that receives the token's subject (sub); a value sent by the client is replaced.")]
    [KongLength(Min = 1, Max = 64)]
    public string SubjectHeader { get; set; } = "x-consumer-subject";

    [KongDescription("Scopes the token must all have (its space-separated scope claim); empty accepts any active token.")]
    [KongLength(Max = 16)]
    public List<string> RequiredScopes { get; set; } = [];

    public async ValueTask Access(IKong kong, CancellationToken cancellationToken)
    {
        string? authorization = await kong.Request.GetHeaderAsync("authorization", cancellationToken);
        if (authorization is null)
        {
            await RejectAsync(kong, TokenDecision.Missing, cancellationToken);
            return;
        }

        if (!BearerToken.TryParse(authorization, out string token))
        {
            await RejectAsync(kong, TokenDecision.Malformed, cancellationToken);
            return;
        }

        string key = TokenCache.KeyFor(IntrospectionUrl, ClientId, token);
        bool cached = cache.TryGet(key, out ActiveToken? active);
        if (!cached)
        {
            IntrospectionResult result = await introspection.IntrospectAsync(
                new IntrospectionRequest(IntrospectionUrl, ClientId, ClientSecret, token, TimeSpan.FromMilliseconds(TimeoutMs), Retries),
                cancellationToken);
            switch (result.Status)
            {
                case IntrospectionStatus.Unavailable:
                    LogUnavailable(result);
                    metrics.Decided(TokenDecision.Unavailable, cached: false);
                    await kong.Response.ExitAsync(503, KongAnswers.UnavailableBody, KongAnswers.JsonHeaders, cancellationToken);
                    return;
                case IntrospectionStatus.Inactive:
                    await RejectAsync(kong, TokenDecision.Inactive, cancellationToken);
                    return;
            }

            active = result.Token!;
            DateTimeOffset now = time.GetUtcNow();
            if (active.ExpiresAt <= now)
            {
                await RejectAsync(kong, TokenDecision.Expired, cancellationToken);
                return;
            }

            TimeSpan ttl = CacheLifetime(CacheTtl, active.ExpiresAt, now);
            if (ttl > TimeSpan.Zero) cache.Set(key, active, ttl);
        }

        if (!active!.HasScopes(RequiredScopes))
        {
            Log.TokenRejected(logger, instance.PluginId, TokenDecision.InsufficientScope);
            metrics.Decided(TokenDecision.InsufficientScope, cached);
            await kong.Response.ExitAsync(403, KongAnswers.ForbiddenBody, KongAnswers.InsufficientScopeHeaders, cancellationToken);
            return;
        }

        // Always set or clear: a subject header sent by the client must never reach the upstream.
        if (active.Subject is { Length: > 0 } subject)
        {
            await kong.Service.Request.SetHeaderAsync(SubjectHeader, subject, cancellationToken);
        }
        else
        {
            await kong.Service.Request.ClearHeaderAsync(SubjectHeader, cancellationToken);
        }

        Log.TokenAccepted(logger, instance.PluginId, cached);
        metrics.Decided(TokenDecision.Accepted, cached);
    }

    /// <summary>How long an active token's result may be cached: min(<c>cache_ttl</c>, time left until its
    /// <c>exp</c>); zero when it must not be (the cache is off, or the token has expired).</summary>
    internal static TimeSpan CacheLifetime(int cacheTtlSeconds, DateTimeOffset? expiresAt, DateTimeOffset now)
    {
        TimeSpan ttl = TimeSpan.FromSeconds(Math.Max(cacheTtlSeconds, 0));
        if (expiresAt is { } expires)
        {
            TimeSpan left = expires - now;
            if (left < ttl) ttl = left;
        }

        return ttl > TimeSpan.Zero ? ttl : TimeSpan.Zero;
    }

    private async ValueTask RejectAsync(IKong kong, TokenDecision decision, CancellationToken cancellationToken)
    {
        Log.TokenRejected(logger, instance.PluginId, decision);
        metrics.Decided(decision, cached: false);
        IReadOnlyDictionary<string, string> headers = decision switch
        {
            TokenDecision.Missing => KongAnswers.MissingTokenHeaders,
            TokenDecision.Malformed => KongAnswers.MalformedTokenHeaders,
            _ => KongAnswers.InvalidTokenHeaders,
        };
        await kong.Response.ExitAsync(401, KongAnswers.UnauthorizedBody, headers, cancellationToken);
    }

    private void LogUnavailable(IntrospectionResult result)
    {
        string? pluginId = instance.PluginId;
        switch (result.Failure)
        {
            case IntrospectionFailure.Timeout:
                Log.EndpointTimedOut(logger, pluginId);
                break;
            case IntrospectionFailure.Status:
                Log.EndpointFailed(logger, pluginId, result.StatusCode);
                break;
            case IntrospectionFailure.Unreachable:
                Log.EndpointUnreachable(logger, pluginId, result.RequestError);
                break;
            case IntrospectionFailure.InvalidEndpoint:
                Log.EndpointInvalid(logger, pluginId);
                break;
            default:
                Log.EndpointInvalidResponse(logger, pluginId);
                break;
        }
    }
}
