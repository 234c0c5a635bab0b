using Microsoft.Extensions.Logging;

namespace TokenIntrospection;

/// <summary>
/// The plugin's log lines, source-generated (no allocation when the level is off, NativeAOT friendly). None carries
/// the token, the client secret or any other configuration value: the plugin entity's id says which configuration,
/// and the endpoint's status code or error kind says what went wrong.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "token introspection for plugin {PluginId} timed out (timeout_ms, retries included); the request was answered 503")]
    public static partial void EndpointTimedOut(ILogger logger, string? pluginId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "the introspection endpoint of plugin {PluginId} answered HTTP {StatusCode}; the request was answered 503")]
    public static partial void EndpointFailed(ILogger logger, string? pluginId, int statusCode);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning,
        Message = "the introspection endpoint of plugin {PluginId} could not be reached ({RequestError}); the request was answered 503")]
    public static partial void EndpointUnreachable(ILogger logger, string? pluginId, HttpRequestError requestError);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning,
        Message = "the introspection endpoint of plugin {PluginId} answered with a body that is not an introspection response; the request was answered 503")]
    public static partial void EndpointInvalidResponse(ILogger logger, string? pluginId);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error,
        Message = "the introspection_url of plugin {PluginId} is not an absolute http or https URL; every request is answered 503")]
    public static partial void EndpointInvalid(ILogger logger, string? pluginId);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "plugin {PluginId} rejected a request: {Decision}")]
    public static partial void TokenRejected(ILogger logger, string? pluginId, TokenDecision decision);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "plugin {PluginId} accepted a token (cached: {Cached})")]
    public static partial void TokenAccepted(ILogger logger, string? pluginId, bool cached);
}
