using Kong.Pdk;

namespace HeaderStamp;

/// <summary>
/// Stamps every proxied request: in <c>access</c> it sets a header on the request to the upstream and the same header
/// on the response to the client, both with the configured value.
/// </summary>
[KongPlugin("header-stamp", Version = "1.0.0", Priority = 900)]
public sealed partial class HeaderStamp
{
    [KongDescription("Header set on the upstream request and on the response.")]
    [KongLength(Min = 1, Max = 64)]
    public string Header { get; set; } = "x-stamped-by";

    [KongDescription("Value of the header: who stamped the request.")]
    [KongLength(Min = 1, Max = 128)]
    public string Value { get; set; } = "kong-dotnet";

    public async ValueTask Access(IKong kong, CancellationToken cancellationToken)
    {
        await kong.Service.Request.SetHeaderAsync(Header, Value, cancellationToken);
        await kong.Response.SetHeaderAsync(Header, Value, cancellationToken);
    }
}
