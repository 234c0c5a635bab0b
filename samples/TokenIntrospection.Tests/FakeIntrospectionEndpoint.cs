using System.Net;
using System.Text;

namespace TokenIntrospection.Tests;

/// <summary>
/// The introspection endpoint, in memory: the named client's primary handler, so the plugin's whole HTTP stack (the
/// factory, the Polly pipeline) runs and nothing touches the network. Each call is answered by <see cref="Respond"/>
/// and recorded.
/// </summary>
internal sealed class FakeIntrospectionEndpoint : HttpMessageHandler
{
    private int _calls;
    private int _cancelled;

    /// <summary>Answers a call; the argument is the call's number, from 1.</summary>
    public Func<int, HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Respond { get; set; }
        = (_, _, _) => Task.FromResult(Json("""{"active":false}"""));

    /// <summary>How many requests reached the endpoint (retries included).</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>How many of them the client gave up on (a timeout cancelled them).</summary>
    public int Cancelled => Volatile.Read(ref _cancelled);

    public List<(string? Authorization, string Body)> Requests { get; } = [];

    public static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK)
        => new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    /// <summary>An active token for <paramref name="subject"/>, expiring in an hour.</summary>
    public static HttpResponseMessage Active(string subject, string scope = "read", long? exp = null)
        => Json($$"""{"active":true,"sub":"{{subject}}","scope":"{{scope}}","exp":{{exp ?? DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}},"client_id":"app"}""");

    /// <summary>Never answers: waits until the client cancels.</summary>
    public static async Task<HttpResponseMessage> Hang(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new InvalidOperationException("unreachable");
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        int call = Interlocked.Increment(ref _calls);
        string body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (Requests) Requests.Add((request.Headers.Authorization?.ToString(), body));
        try
        {
            return await Respond(call, request, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _cancelled);
            throw;
        }
    }
}
