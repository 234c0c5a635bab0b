namespace Kong.Pdk;

/// <summary>
/// Marks a <c>partial</c> class as a Kong plugin. The Kong.Pdk source generator turns the class into a plugin
/// descriptor: its public settable properties become the configuration schema, and its methods named after Kong's
/// phases (<c>Certificate</c>, <c>Rewrite</c>, <c>Access</c>, <c>Response</c>, <c>Preread</c>, <c>Log</c>)
/// become the phase handlers.
/// </summary>
/// <example>
/// <code>
/// [KongPlugin("my-plugin", Version = "1.0.0", Priority = 1000)]
/// public sealed partial class MyPlugin
/// {
///     public string Greeting { get; set; } = "hello";
///
///     public async ValueTask Access(IKong kong, CancellationToken cancellationToken)
///     {
///         string? host = await kong.Request.GetHeaderAsync("host", cancellationToken);
///         await kong.Response.SetHeaderAsync("x-hello", $"{Greeting} {host}", cancellationToken);
///     }
/// }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class KongPluginAttribute : Attribute
{
    /// <summary>Declares a plugin named <paramref name="name"/>.</summary>
    /// <param name="name">The plugin name: the name in <c>plugins = ...</c> and <c>pluginserver_names</c> of
    /// kong.conf, and the default socket file name. Lower case letters, digits, <c>-</c> and <c>_</c>.</param>
    public KongPluginAttribute(string name) => Name = name;

    /// <summary>The plugin name.</summary>
    public string Name { get; }

    /// <summary>The plugin version, <c>x.y.z</c> with numeric parts. Defaults to <c>0.1.0</c>.</summary>
    public string Version { get; set; } = "0.1.0";

    /// <summary>Kong's handler priority: within a phase, plugins with a higher priority run first. Defaults to 0.</summary>
    public int Priority { get; set; }

    /// <summary>
    /// When <see langword="true"/>, an unhandled exception (or an expired deadline) in <c>rewrite</c>,
    /// <c>access</c> or <c>response</c> is logged and the request continues. The default,
    /// <see langword="false"/>, answers the request with <c>kong.response.error(500)</c> ("fail closed").
    /// </summary>
    public bool FailOpen { get; set; }
}
