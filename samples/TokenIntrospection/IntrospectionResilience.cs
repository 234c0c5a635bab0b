using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace TokenIntrospection;

/// <summary>
/// The named client's Polly pipeline, outermost first: a <b>total</b> timeout (the configuration's
/// <c>timeout_ms</c>), a <b>retry</b> of transient failures (connection errors, attempt timeouts, 408, 429, 5xx; at most
/// the configuration's <c>retries</c>), and a per-<b>attempt</b> timeout (an equal share of the budget). The values
/// come from the <see cref="ResilienceContext"/> each request carries, so one pipeline serves every plugin
/// configuration.
/// </summary>
/// <remarks>
/// Introspection is a POST, but a read-only one (RFC 7662 asks nothing to change), so retrying it is safe; a pipeline
/// for a request that changes state would call <c>DisableForUnsafeHttpMethods()</c> on the retry options.
/// <c>Retry-After</c> is not honoured: the budget is a few seconds at most, and the total timeout bounds every wait.
/// </remarks>
public static class IntrospectionResilience
{
    public const string PipelineName = "resilience"; // reported as "token-introspection-resilience": client name, then pipeline name

    /// <summary>The largest <c>retries</c> the schema allows.</summary>
    public const int MaxRetries = 3;

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);
    private static readonly ResiliencePropertyKey<TimeSpan> TimeoutKey = new("token-introspection.timeout");
    private static readonly ResiliencePropertyKey<int> RetriesKey = new("token-introspection.retries");

    /// <summary>Puts a request's budget on its resilience context.</summary>
    public static void SetBudget(ResilienceContext context, TimeSpan timeout, int retries)
    {
        context.Properties.Set(TimeoutKey, timeout);
        context.Properties.Set(RetriesKey, Math.Clamp(retries, 0, MaxRetries));
    }

    /// <summary>Builds the pipeline (<c>AddResilienceHandler(PipelineName, Configure)</c>).</summary>
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline)
    {
        pipeline
            .AddTimeout(new HttpTimeoutStrategyOptions
            {
                Name = "total",
                TimeoutGenerator = static args => ValueTask.FromResult(Total(args.Context)),
            })
            .AddRetry(new HttpRetryStrategyOptions
            {
                Name = "retry",
                MaxRetryAttempts = MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(50),
                ShouldRetryAfterHeader = false,
                ShouldHandle = static args => ValueTask.FromResult(
                    args.AttemptNumber < Retries(args.Context) && HttpClientResiliencePredicates.IsTransient(args.Outcome)),
            })
            .AddTimeout(new HttpTimeoutStrategyOptions
            {
                Name = "attempt",
                TimeoutGenerator = static args => ValueTask.FromResult(Total(args.Context) / (Retries(args.Context) + 1)),
            });
    }

    private static TimeSpan Total(ResilienceContext context) => context.Properties.GetValue(TimeoutKey, DefaultTimeout);

    private static int Retries(ResilienceContext context) => context.Properties.GetValue(RetriesKey, 0);
}
