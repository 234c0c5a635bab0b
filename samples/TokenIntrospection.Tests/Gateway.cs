using Kong.Pdk.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TokenIntrospection.Tests;

/// <summary>
/// The plugin as Kong runs it: the services Program.cs registers (<see cref="TokenIntrospectionServiceCollectionExtensions.AddTokenIntrospection"/>),
/// with the named client's primary handler replaced by <see cref="FakeIntrospectionEndpoint"/> and every log
/// record captured, served by the fake Kong of Kong.Pdk.Testing.
/// </summary>
internal sealed class Gateway : IAsyncDisposable
{
    public const string Url = "https://idp.example/oauth2/introspect";
    public const string ClientId = "kong-gateway";
    public const string Secret = "canary-secret-77d2e0b41c";
    public const string Token = "canary-token-3f9a1c5e8d";

    private Gateway(string configJson)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        services.AddTokenIntrospection();
        services.AddHttpClient(IntrospectionClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => Endpoint);
        Services = services.BuildServiceProvider();
        Kong = PluginTestHost.Create(TokenIntrospectionPlugin.Descriptor, configJson,
            new PluginTestHostOptions { Server = { Services = Services } });
    }

    public FakeIntrospectionEndpoint Endpoint { get; } = new();

    public CapturedLogs Logs { get; } = new();

    public ServiceProvider Services { get; }

    public PluginTestHost Kong { get; }

    /// <summary>A gateway whose configuration names the endpoint and the client credentials, plus
    /// <paramref name="fields"/> (JSON members, e.g. <c>"retries":0</c>).</summary>
    /// <param name="fields">JSON members added to the configuration.</param>
    /// <param name="replaceFields">When true, <paramref name="fields"/> is the whole configuration object instead.</param>
    public static Gateway Create(string fields = "", bool replaceFields = false)
        => new(replaceFields ? fields : $$"""{"introspection_url":"{{Url}}","client_id":"{{ClientId}}","client_secret":"{{Secret}}"{{(fields.Length > 0 ? "," + fields : "")}}}""");

    public static KongTestRequest WithToken(string token = Token, string path = "/orders")
        => KongTestRequest.Get(path).WithHeader("authorization", "Bearer " + token);

    public async ValueTask DisposeAsync()
    {
        await Kong.DisposeAsync();
        await Services.DisposeAsync();
    }
}
