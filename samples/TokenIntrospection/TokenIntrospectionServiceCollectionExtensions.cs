using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace TokenIntrospection;

/// <summary>Registers the plugin and its services; Program.cs and the tests call the same method.</summary>
public static class TokenIntrospectionServiceCollectionExtensions
{
    /// <summary>
    /// The plugin (<c>AddKongPlugin</c>), the named <see cref="HttpClient"/> with its Polly pipeline, the memory cache,
    /// and the singletons the plugin takes. Lifetimes: everything here is a singleton; the plugin and
    /// <c>KongInstanceInfo</c> live per plugin instance (docs/dependency-injection.md).
    /// </summary>
    public static IServiceCollection AddTokenIntrospection(this IServiceCollection services)
    {
        services.AddKongPlugin<TokenIntrospectionPlugin>();

        services.AddHttpClient(IntrospectionClient.HttpClientName, static client =>
            {
                client.MaxResponseContentBufferSize = IntrospectionClient.MaxResponseBytes;
                client.DefaultRequestHeaders.Accept.ParseAdd("application/json");
            })
            // The factory's default loggers write each request's URL: a configuration value, kept out of the logs like
            // every other one. Traces (System.Net.Http) and metrics still show each call.
            .RemoveAllLoggers()
            .AddResilienceHandler(IntrospectionResilience.PipelineName, IntrospectionResilience.Configure);

        services.AddMemoryCache();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IntrospectionClient>();
        services.TryAddSingleton<TokenCache>();
        services.TryAddSingleton<TokenIntrospectionMetrics>();
        return services;
    }
}
