namespace TokenIntrospection;

/// <summary>What the plugin decided for a request: the <c>token_introspection.decision</c> metric tag and the
/// reason in the log.</summary>
public enum TokenDecision
{
    /// <summary>An active token with the required scopes: the request goes on to the upstream.</summary>
    Accepted,

    /// <summary>No <c>Authorization</c> header: 401.</summary>
    Missing,

    /// <summary>An <c>Authorization</c> header that is not one bearer token: 401.</summary>
    Malformed,

    /// <summary>The endpoint says the token is not active: 401.</summary>
    Inactive,

    /// <summary>Active, but its <c>exp</c> has passed: 401.</summary>
    Expired,

    /// <summary>Active, without a scope the configuration requires: 403.</summary>
    InsufficientScope,

    /// <summary>The endpoint could not answer in time: 503 (fail closed).</summary>
    Unavailable,
}
