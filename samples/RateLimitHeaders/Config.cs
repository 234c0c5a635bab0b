using Kong.Pdk;

namespace RateLimitHeaders;

/// <summary>How a caller is told apart from the others (config field <c>identify_by</c>).</summary>
public enum IdentifyBy
{
    /// <summary>The authenticated consumer's username (or id); the client IP for anonymous requests.</summary>
    Consumer,

    /// <summary>The client IP, as forwarded by trusted proxies.</summary>
    Ip,

    /// <summary>The value of <see cref="RateLimitHeaders.IdentityHeader"/>; the client IP when it is missing.</summary>
    Header,
}

/// <summary>What happens to a request over a limit (config field <c>on_limit</c>).</summary>
public enum OnLimit
{
    /// <summary>Answer with <see cref="RateLimitHeaders.RejectStatus"/> and a <c>retry-after</c> header.</summary>
    Reject,

    /// <summary>Let it through and only report the state in the headers (a dry run).</summary>
    HeadersOnly,
}

/// <summary>One counting window: <c>Limit</c> requests per <c>Seconds</c> per caller. A record in the schema.</summary>
public sealed class LimitWindow
{
    [KongDescription("Name of the window, appended to the header names (x-ratelimit-limit-<name>).")]
    [KongLength(Min = 1, Max = 32)]
    [KongLuaPattern("^[%w_-]+$")]
    public string Name { get; set; } = "minute";

    [KongDescription("Length of the window in seconds; it starts with the caller's first request.")]
    [KongBetween(1, 86400)]
    public int Seconds { get; set; } = 60;

    [KongDescription("Requests a caller may make in one window.")]
    [KongBetween(1, 1000000)]
    public int Limit { get; set; } = 60;
}

/// <summary>The names of the headers the plugin writes. A nested record with defaults, so Kong fills it in.</summary>
public sealed class HeaderNames
{
    [KongDescription("Prefix of the header that states a window's limit.")]
    [KongLength(Min = 1, Max = 64)]
    public string LimitPrefix { get; set; } = "x-ratelimit-limit-";

    [KongDescription("Prefix of the header that states what is left of a window.")]
    [KongLength(Min = 1, Max = 64)]
    public string RemainingPrefix { get; set; } = "x-ratelimit-remaining-";

    [KongDescription("Header with the seconds until the exceeded window starts over.")]
    public string RetryAfter { get; set; } = "retry-after";

    [KongDescription("Whether the limit headers are sent to the client at all.")]
    public bool Send { get; set; } = true;
}
