using Kong.Pdk;

namespace RequestGuard;

/// <summary>
/// Turns away requests that lack a header: in <c>access</c> it reads the configured request header and, when it is
/// missing or empty, answers the client itself with the configured status and message, so the upstream never sees
/// the request.
/// </summary>
[KongPlugin("request-guard", Version = "1.0.0", Priority = 1100)]
public sealed partial class RequestGuard
{
    [KongDescription("Request header that every request must carry.")]
    [KongLength(Min = 1, Max = 64)]
    public string RequiredHeader { get; set; } = "x-api-key";

    [KongDescription("HTTP status of a request without the header.")]
    [KongBetween(400, 499)]
    public int RejectStatus { get; set; } = 401;

    [KongDescription("Body of a request without the header.")]
    [KongLength(Min = 1, Max = 200)]
    public string RejectMessage { get; set; } = "missing credentials";

    public async ValueTask Access(IKong kong, CancellationToken cancellationToken)
    {
        string? value = await kong.Request.GetHeaderAsync(RequiredHeader, cancellationToken);
        if (string.IsNullOrEmpty(value))
        {
            await kong.Response.ExitAsync(RejectStatus, RejectMessage, cancellationToken: cancellationToken);
        }
    }
}
