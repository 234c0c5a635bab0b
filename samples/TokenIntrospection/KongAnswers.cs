namespace TokenIntrospection;

/// <summary>The responses the plugin ends a request with (<c>kong.response.exit</c>), built once.</summary>
internal static class KongAnswers
{
    public const string UnauthorizedBody = """{"message":"Unauthorized"}""";
    public const string ForbiddenBody = """{"message":"Forbidden"}""";
    public const string UnavailableBody = """{"message":"Token introspection unavailable"}""";

    public static readonly IReadOnlyDictionary<string, string> JsonHeaders = Headers(null);

    /// <summary>No credentials at all: the challenge without an error code (RFC 6750 §3.1).</summary>
    public static readonly IReadOnlyDictionary<string, string> MissingTokenHeaders = Headers("Bearer realm=\"kong\"");

    public static readonly IReadOnlyDictionary<string, string> MalformedTokenHeaders = Headers("Bearer realm=\"kong\", error=\"invalid_request\"");

    public static readonly IReadOnlyDictionary<string, string> InvalidTokenHeaders = Headers("Bearer realm=\"kong\", error=\"invalid_token\"");

    public static readonly IReadOnlyDictionary<string, string> InsufficientScopeHeaders = Headers("Bearer realm=\"kong\", error=\"insufficient_scope\"");

    private static Dictionary<string, string> Headers(string? challenge)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Content-Type"] = "application/json" };
        if (challenge is not null) headers["WWW-Authenticate"] = challenge;
        return headers;
    }
}
