using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Polly;
using Polly.Timeout;

namespace TokenIntrospection;

/// <summary>
/// Asks an RFC 7662 endpoint about a token: <c>POST</c> of <c>token=…&amp;token_type_hint=access_token</c>, client
/// credentials in HTTP Basic, a JSON answer. A singleton: it holds only the <see cref="IHttpClientFactory"/> and
/// creates a client per call, so the factory's pooled handlers (connections, DNS refresh every 2 minutes) are used
/// as intended; the named client's Polly pipeline (<see cref="IntrospectionResilience"/>) applies timeouts and retries.
/// </summary>
public sealed class IntrospectionClient(IHttpClientFactory httpClientFactory)
{
    /// <summary>The named client registered by <see cref="TokenIntrospectionServiceCollectionExtensions.AddTokenIntrospection"/>.</summary>
    public const string HttpClientName = "token-introspection";

    /// <summary>Largest answer read; a longer one is a failure (an introspection response is a few hundred bytes).</summary>
    public const int MaxResponseBytes = 64 * 1024;

    /// <summary>
    /// Asks the endpoint. Never throws for the endpoint's failures: they come back as
    /// <see cref="IntrospectionStatus.Unavailable"/>. Throws <see cref="OperationCanceledException"/> only when
    /// <paramref name="cancellationToken"/> (the Kong event's) is cancelled.
    /// </summary>
    public async Task<IntrospectionResult> IntrospectAsync(IntrospectionRequest request, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out Uri? endpoint) || endpoint.Scheme is not ("http" or "https"))
        {
            return IntrospectionResult.Failed(IntrospectionFailure.InvalidEndpoint);
        }

        using var message = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new FormUrlEncodedContent([new("token", request.Token), new("token_type_hint", "access_token")]),
        };
        if (request.ClientId is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Basic", BasicCredentials(request.ClientId, request.ClientSecret));
        }

        // The configuration's budget travels with the request to the pipeline's timeout and retry strategies.
        ResilienceContext context = ResilienceContextPool.Shared.Get(cancellationToken);
        IntrospectionResilience.SetBudget(context, request.Timeout, request.Retries);
        message.SetResilienceContext(context);
        try
        {
            HttpClient client = httpClientFactory.CreateClient(HttpClientName);
            using HttpResponseMessage response = await client.SendAsync(message, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return IntrospectionResult.Failed(IntrospectionFailure.Status, (int)response.StatusCode);
            }

            IntrospectionResponse? body = await response.Content.ReadFromJsonAsync(IntrospectionJsonContext.Default.IntrospectionResponse, cancellationToken);
            if (body is null) return IntrospectionResult.Failed(IntrospectionFailure.InvalidResponse);
            if (!body.Active) return IntrospectionResult.Inactive;
            DateTimeOffset? expires = body.Exp is { } exp ? DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(exp, 0, 253_402_300_799)) : null;
            return IntrospectionResult.ActiveToken(new ActiveToken(body.Sub, body.Scope, expires));
        }
        catch (TimeoutRejectedException)
        {
            return IntrospectionResult.Failed(IntrospectionFailure.Timeout);
        }
        catch (HttpRequestException e)
        {
            return IntrospectionResult.Failed(IntrospectionFailure.Unreachable, requestError: e.HttpRequestError);
        }
        catch (JsonException)
        {
            return IntrospectionResult.Failed(IntrospectionFailure.InvalidResponse);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return IntrospectionResult.Failed(IntrospectionFailure.Timeout); // HttpClient.Timeout, as a last bound
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>RFC 6749 §2.3.1: both parts form-urlencoded, then <c>base64(id:secret)</c>.</summary>
    private static string BasicCredentials(string clientId, string? clientSecret)
        => Convert.ToBase64String(Encoding.UTF8.GetBytes(WebUtility.UrlEncode(clientId) + ":" + WebUtility.UrlEncode(clientSecret ?? "")));
}

/// <summary>One question to the endpoint. Deliberately not a record: its <c>ToString</c> must never print the token
/// or the secret.</summary>
public sealed class IntrospectionRequest(string url, string? clientId, string? clientSecret, string token, TimeSpan timeout, int retries)
{
    public string Url { get; } = url;

    public string? ClientId { get; } = clientId;

    public string? ClientSecret { get; } = clientSecret;

    public string Token { get; } = token;

    /// <summary>The whole budget, retries included.</summary>
    public TimeSpan Timeout { get; } = timeout;

    public int Retries { get; } = retries;
}

/// <summary>What the endpoint said.</summary>
public enum IntrospectionStatus
{
    Active,
    Inactive,
    Unavailable,
}

/// <summary>Why an introspection is <see cref="IntrospectionStatus.Unavailable"/>.</summary>
public enum IntrospectionFailure
{
    None,
    Timeout,
    Unreachable,
    Status,
    InvalidResponse,
    InvalidEndpoint,
}

/// <summary>The answer of <see cref="IntrospectionClient.IntrospectAsync"/>.</summary>
public sealed record IntrospectionResult(IntrospectionStatus Status, ActiveToken? Token, IntrospectionFailure Failure, int StatusCode, HttpRequestError RequestError)
{
    public static readonly IntrospectionResult Inactive = new(IntrospectionStatus.Inactive, null, IntrospectionFailure.None, 0, HttpRequestError.Unknown);

    public static IntrospectionResult ActiveToken(ActiveToken token) => new(IntrospectionStatus.Active, token, IntrospectionFailure.None, 0, HttpRequestError.Unknown);

    public static IntrospectionResult Failed(IntrospectionFailure failure, int statusCode = 0, HttpRequestError requestError = HttpRequestError.Unknown)
        => new(IntrospectionStatus.Unavailable, null, failure, statusCode, requestError);
}
