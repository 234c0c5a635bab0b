namespace Kong.Pdk.Hosting;

/// <summary>
/// Everything the plugin server needs to know about one plugin: what <c>-dump</c> prints and how to create an
/// instance from Kong's configuration. The source generator writes one for every <see cref="KongPluginAttribute"/>
/// class (reachable as <c>MyPlugin.Descriptor</c>); an advanced user can derive from it by hand.
/// </summary>
public abstract class KongPluginDescriptor
{
    /// <summary>The plugin name, as in kong.conf's <c>plugins</c> and the schema's <c>name</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The plugin version, <c>x.y.z</c>.</summary>
    public abstract string Version { get; }

    /// <summary>Kong's handler priority (higher runs earlier).</summary>
    public abstract int Priority { get; }

    /// <summary>The phases the plugin implements, in the order they are listed in the dump.</summary>
    public abstract IReadOnlyList<KongPhase> Phases { get; }

    /// <summary>
    /// The complete Kong plugin schema as JSON text, <c>{"name": ..., "fields": [{"config": {"type": "record", ...}}]}</c>.
    /// Kong uses it verbatim; see docs/configuration-schema.md.
    /// </summary>
    public abstract string SchemaJson { get; }

    /// <summary>What happens when a handler throws in a request phase. Defaults to <see cref="KongFailurePolicy.FailClosed"/>.</summary>
    public virtual KongFailurePolicy FailurePolicy => KongFailurePolicy.FailClosed;

    /// <summary>
    /// Creates an instance from the configuration JSON that Kong sends in <c>plugin.StartInstance</c> (the
    /// plugin entity's config plus keys Kong adds, such as <c>__seq__</c>, which must be ignored).
    /// </summary>
    /// <param name="configJson">UTF-8 JSON text.</param>
    /// <exception cref="KongConfigException">The configuration does not bind; the message names the field.</exception>
    public abstract IKongPluginInstance CreateInstance(ReadOnlySpan<byte> configJson);

    /// <summary>
    /// <see langword="true"/> when <see cref="CreateInstance(ReadOnlySpan{byte}, IServiceProvider)"/> must be used: the
    /// plugin's constructor takes services. The server then refuses to start without
    /// <see cref="KongServerOptions.Services"/>. Default <see langword="false"/>.
    /// </summary>
    public virtual bool RequiresServices => false;

    /// <summary>
    /// Creates an instance like <see cref="CreateInstance(ReadOnlySpan{byte})"/>, resolving the constructor's
    /// parameters from <paramref name="services"/>: the instance's own scope (one per Kong configuration), which also
    /// answers <see cref="KongInstanceInfo"/>. The default ignores <paramref name="services"/>.
    /// </summary>
    /// <param name="configJson">UTF-8 JSON text.</param>
    /// <param name="services">The services of the instance's scope.</param>
    /// <exception cref="KongConfigException">The configuration does not bind; the message names the field.</exception>
    /// <exception cref="InvalidOperationException">A constructor parameter's service is not registered; the message
    /// names the plugin and the service type.</exception>
    public virtual IKongPluginInstance CreateInstance(ReadOnlySpan<byte> configJson, IServiceProvider services)
        => CreateInstance(configJson);
}
