using Kong.Pdk;

namespace KongPluginTemplate;

/// <summary>
/// A Kong Gateway plugin. The Kong.Pdk source generator adds the schema, the configuration binder, the phase
/// dispatch and <c>Main</c>: <c>dotnet build</c>, then <c>dotnet bin/Debug/&lt;tfm&gt;/KongPluginTemplate.dll -dump</c>.
/// </summary>
[KongPlugin("kong-plugin-template", Version = "0.1.0", Priority = 1000)]
public sealed partial class KongPluginTemplate
{
    // Configuration: one public property per schema field, snake_case on the wire ("header_name", "greeting").
    [KongDescription("Response header that carries the greeting.")]
    public string HeaderName { get; set; } = "x-greeting";

    [KongDescription("Text written into the response header.")]
    [KongLength(Min = 1, Max = 200)]
    public string Greeting { get; set; } = "hello from .NET";

    // Phase handlers are named after Kong's phases: Certificate, Rewrite, Access, Response, Preread, Log.
    public async ValueTask Access(IKong kong, CancellationToken cancellationToken)
    {
        string? host = await kong.Request.GetHeaderAsync("host", cancellationToken);
        await kong.Response.SetHeaderAsync(HeaderName, $"{Greeting} ({host})", cancellationToken);
    }
}
