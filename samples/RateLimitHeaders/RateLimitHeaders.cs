using System.Collections.Concurrent;
using System.Globalization;
using Kong.Pdk;

namespace RateLimitHeaders;

/// <summary>
/// A local rate limiter that reports its state in headers. In <c>access</c> it identifies the caller (consumer,
/// client IP or a header), counts the request in every configured window, answers the response headers
/// <c>x-ratelimit-limit-&lt;window&gt;</c> / <c>x-ratelimit-remaining-&lt;window&gt;</c>, and rejects a request over
/// a limit. It leaves its decision in <c>kong.ctx.shared</c>, where the <c>log</c> phase (and other plugins) read it.
/// </summary>
/// <remarks>
/// Counters live in this instance, one per plugin configuration and Kong worker connection, so the limits are
/// per plugin server process, not cluster-wide: a sample of the PDK, not a replacement for Kong's rate-limiting.
/// </remarks>
[KongPlugin("rate-limit-headers", Version = "1.0.0", Priority = 910)]
public sealed partial class RateLimitHeaders
{
    /// <summary>The keys this plugin writes into <c>kong.ctx.shared</c>.</summary>
    public static class SharedKeys
    {
        public const string Identity = "rate_limit_identity";
        public const string Remaining = "rate_limit_remaining";
        public const string Exceeded = "rate_limit_exceeded";
        public const string Exempt = "rate_limit_exempt";
    }

    private const int PruneThreshold = 10_000;
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);

    [KongDescription("How callers are told apart: consumer, ip or header.")]
    public IdentifyBy IdentifyBy { get; set; } = IdentifyBy.Ip;

    [KongDescription("Request header that identifies the caller when identify_by is header.")]
    [KongLength(Min = 1, Max = 64)]
    public string IdentityHeader { get; set; } = "x-api-key";

    [KongDescription("Counting windows, all applied to every request; empty means one window of 60 requests per minute.")]
    [KongLength(Max = 8)]
    public List<LimitWindow> Windows { get; set; } = [];

    [KongDescription("Factor applied to every limit for one caller (consumer, IP or header value), e.g. 2.5 for a partner.")]
    public Dictionary<string, double> Multipliers { get; set; } = [];

    [KongDescription("Callers (consumer, IP or header value) that are never limited.")]
    public HashSet<string> Exempt { get; set; } = [];

    [KongDescription("Names of the headers written to the client.")]
    public HeaderNames Headers { get; set; } = new();

    [KongDescription("What happens over a limit: reject the request, or only report it in headers.")]
    public OnLimit OnLimit { get; set; } = OnLimit.Reject;

    [KongDescription("HTTP status of a rejected request.")]
    [KongBetween(400, 599)]
    public int RejectStatus { get; set; } = 429;

    [KongDescription("Body of a rejected request.")]
    [KongLength(Min = 1, Max = 200)]
    public string RejectMessage { get; set; } = "API rate limit exceeded";

    [KongDescription("Request header that tells the upstream the smallest remaining count; unset sends nothing.")]
    public string? UpstreamHeader { get; set; }

    [KongDescription("Whether the log phase writes one line per request to Kong's error log.")]
    public bool LogDecisions { get; set; } = true;

    public async ValueTask Access(IKong kong, CancellationToken cancellationToken)
    {
        string identity = await IdentifyAsync(kong, cancellationToken);
        await kong.Ctx.Shared.SetAsync(SharedKeys.Identity, identity, cancellationToken);
        if (Exempt.Contains(identity))
        {
            await kong.Ctx.Shared.SetAsync(SharedKeys.Exempt, true, cancellationToken);
            return;
        }

        double multiplier = Multipliers.TryGetValue(identity, out double factor) ? factor : 1.0;
        long now = Environment.TickCount64;
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        long smallestRemaining = long.MaxValue;
        LimitWindow? exceeded = null;
        long retryAfter = 0;
        foreach (LimitWindow window in Windows.Count > 0 ? Windows : (IReadOnlyList<LimitWindow>)DefaultWindows)
        {
            long limit = Math.Max(0, (long)Math.Floor(window.Limit * multiplier));
            (int count, long resetsIn) = Hit($"{window.Name}\n{identity}", window.Seconds, now);
            long remaining = Math.Max(0, limit - count);
            smallestRemaining = Math.Min(smallestRemaining, remaining);
            headers[Headers.LimitPrefix + window.Name] = limit.ToString(CultureInfo.InvariantCulture);
            headers[Headers.RemainingPrefix + window.Name] = remaining.ToString(CultureInfo.InvariantCulture);
            if (count > limit && (exceeded is null || resetsIn > retryAfter))
            {
                exceeded = window;
                retryAfter = resetsIn;
            }
        }

        await kong.Ctx.Shared.SetAsync(SharedKeys.Remaining, smallestRemaining, cancellationToken);
        if (exceeded is not null)
        {
            await kong.Ctx.Shared.SetAsync(SharedKeys.Exceeded, exceeded.Name, cancellationToken);
        }

        if (exceeded is not null && OnLimit == OnLimit.Reject)
        {
            headers[Headers.RetryAfter] = retryAfter.ToString(CultureInfo.InvariantCulture);
            // Terminal: Kong answers the client, runs no upstream, and only the log phase follows.
            await kong.Response.ExitAsync(RejectStatus, RejectMessage, Headers.Send ? headers : RetryOnly(headers), cancellationToken);
        }

        if (Headers.Send)
        {
            await kong.Response.SetHeadersAsync(headers, cancellationToken);
        }

        if (UpstreamHeader is not null)
        {
            await kong.Service.Request.SetHeaderAsync(UpstreamHeader, smallestRemaining, cancellationToken);
        }
    }

    public async ValueTask Log(IKong kong, CancellationToken cancellationToken)
    {
        if (!LogDecisions)
        {
            return;
        }

        string identity = await kong.Ctx.Shared.GetStringAsync(SharedKeys.Identity, cancellationToken) ?? "-";
        int status = await kong.Response.GetStatusAsync(cancellationToken);
        KongValue exempt = await kong.Ctx.Shared.GetAsync(SharedKeys.Exempt, cancellationToken);
        if (!exempt.IsNil)
        {
            await kong.Log.InfoAsync($"rate-limit identity={identity} exempt status={status}", cancellationToken);
            return;
        }

        KongValue remaining = await kong.Ctx.Shared.GetAsync(SharedKeys.Remaining, cancellationToken);
        string? exceeded = await kong.Ctx.Shared.GetStringAsync(SharedKeys.Exceeded, cancellationToken);
        string line = $"rate-limit identity={identity} remaining={(remaining.IsNil ? "-" : remaining.AsInt64())} status={status}";
        if (exceeded is null)
        {
            await kong.Log.InfoAsync(line, cancellationToken);
        }
        else
        {
            await kong.Log.WarnAsync($"{line} exceeded={exceeded}", cancellationToken);
        }
    }

    private static readonly LimitWindow[] DefaultWindows = [new LimitWindow()];

    private async ValueTask<string> IdentifyAsync(IKong kong, CancellationToken cancellationToken)
    {
        switch (IdentifyBy)
        {
            case IdentifyBy.Consumer:
                KongConsumer? consumer = await kong.Client.GetConsumerAsync(cancellationToken);
                if ((consumer?.Username ?? consumer?.Id) is { } name)
                {
                    return name;
                }

                break;
            case IdentifyBy.Header:
                if (await kong.Request.GetHeaderAsync(IdentityHeader, cancellationToken) is { Length: > 0 } value)
                {
                    return value;
                }

                break;
        }

        return await kong.Client.GetForwardedIpAsync(cancellationToken);
    }

    private static Dictionary<string, string> RetryOnly(Dictionary<string, string> headers) =>
        headers.Where(h => !h.Key.StartsWith("x-ratelimit", StringComparison.Ordinal)).ToDictionary();

    /// <summary>Counts one request; a window starts with the first request of a caller and lasts <paramref name="seconds"/>.</summary>
    private (int Count, long ResetsInSeconds) Hit(string key, int seconds, long nowMs)
    {
        Counter counter = _counters.AddOrUpdate(
            key,
            static (_, arg) => new Counter(arg.Now, arg.Length, 1),
            static (_, old, arg) => arg.Now - old.StartMs >= old.LengthMs
                ? new Counter(arg.Now, arg.Length, 1)
                : old with { Count = old.Count + 1 },
            (Now: nowMs, Length: seconds * 1000L));

        if (_counters.Count > PruneThreshold)
        {
            foreach ((string stale, Counter old) in _counters)
            {
                if (nowMs - old.StartMs >= old.LengthMs)
                {
                    _counters.TryRemove(new KeyValuePair<string, Counter>(stale, old));
                }
            }
        }

        long resetsIn = Math.Max(1, (counter.StartMs + counter.LengthMs - nowMs + 999) / 1000);
        return (counter.Count, resetsIn);
    }

    private sealed record Counter(long StartMs, long LengthMs, int Count);
}
