namespace Kong.Pdk.Hosting;

/// <summary>
/// A plugin class with its descriptor reachable from the type: what the source generator implements on every
/// <see cref="KongPluginAttribute"/> class, so that <c>services.AddKongPlugin&lt;MyPlugin&gt;()</c> needs no
/// reflection to find it.
/// </summary>
public interface IKongPlugin : IKongPluginInstance
{
    /// <summary>The plugin's descriptor (name, phases, schema, factory).</summary>
    static abstract KongPluginDescriptor Descriptor { get; }
}
