namespace Kong.Pdk.Hosting;

/// <summary>
/// Names one plugin that a class library offers to the executables referencing it. The source generator writes one
/// per <see cref="KongPluginAttribute"/> class of a class library; the generator of an executable that references the
/// library reads them from the compiled library, at compile time, and its generated <c>Main</c> serves those plugins
/// beside its own (docs/plugin-libraries.md). Nothing reads it at run time. Not meant to be written by hand.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true, Inherited = false)]
public sealed class KongPluginExportAttribute : Attribute
{
    /// <summary>Declares that <paramref name="pluginType"/>, whose generated <c>Descriptor</c> describes the plugin
    /// named <paramref name="name"/>, is served by executables that reference this assembly.</summary>
    /// <param name="pluginType">The <c>[KongPlugin]</c> class; it must be public to be served.</param>
    /// <param name="name">The plugin name, as in its <see cref="KongPluginAttribute"/>.</param>
    public KongPluginExportAttribute(Type pluginType, string name)
    {
        PluginType = pluginType;
        Name = name;
    }

    /// <summary>The <c>[KongPlugin]</c> class.</summary>
    public Type PluginType { get; }

    /// <summary>The plugin name.</summary>
    public string Name { get; }
}
