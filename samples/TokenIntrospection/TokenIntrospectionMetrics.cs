using System.Diagnostics.Metrics;

namespace TokenIntrospection;

/// <summary>The plugin's own instrument, from the host's <see cref="IMeterFactory"/> (a singleton): requests by
/// decision, and whether the introspection result came from the cache.</summary>
public sealed class TokenIntrospectionMetrics
{
    /// <summary>The meter's name, for <c>AddMeter</c>.</summary>
    public const string MeterName = "TokenIntrospection";

    private readonly Counter<long> _decisions;

    public TokenIntrospectionMetrics(IMeterFactory meterFactory)
    {
        Meter meter = meterFactory.Create(MeterName);
        _decisions = meter.CreateCounter<long>("token_introspection.decisions", "{request}",
            "Requests checked by the token-introspection plugin, by decision and cache use.");
    }

    public void Decided(TokenDecision decision, bool cached)
    {
        if (!_decisions.Enabled) return; // nothing listens: no tags, no boxing
        _decisions.Add(1,
            new KeyValuePair<string, object?>("token_introspection.decision", Name(decision)),
            new KeyValuePair<string, object?>("token_introspection.cached", cached));
    }

    private static string Name(TokenDecision decision) => decision switch
    {
        TokenDecision.Accepted => "accepted",
        TokenDecision.Missing => "missing",
        TokenDecision.Malformed => "malformed",
        TokenDecision.Inactive => "inactive",
        TokenDecision.Expired => "expired",
        TokenDecision.InsufficientScope => "insufficient_scope",
        _ => "unavailable",
    };
}
