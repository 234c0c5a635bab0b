using Kong.Pdk;

namespace HelloPlugin;

/// <summary>
/// The .NET twin of Kong's go-hello sample: in <c>access</c> it reads the <c>host</c> request header and sets
/// <c>x-hello-from-dotnet: Dotnet says &lt;message&gt; to &lt;host&gt;</c> on the response.
/// </summary>
[KongPlugin("hello-dotnet", Version = "0.1.0", Priority = 1000)]
public sealed partial class HelloPlugin
{
    /// <summary>What the plugin says; config field <c>message</c>.</summary>
    public string Message { get; set; } = "hello";

    public async ValueTask Access(IKong kong, CancellationToken cancellationToken)
    {
        string? host = await kong.Request.GetHeaderAsync("host", cancellationToken);
        await kong.Response.SetHeaderAsync("x-hello-from-dotnet", $"Dotnet says {Message} to {host}", cancellationToken);
    }
}
