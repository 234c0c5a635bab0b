namespace Kong.Pdk.Hosting;

/// <summary>A plugin's constructor needs a service that is not registered. Its message names the plugin and the type
/// (never a configuration value), so the server reports it to Kong and the log as it is.</summary>
internal sealed class KongMissingServiceException : InvalidOperationException
{
    public KongMissingServiceException(string pluginName, Type serviceType)
        : base($"the plugin '{pluginName}' needs a service of type '{serviceType.FullName ?? serviceType.Name}' in its constructor, and none is registered: add it to the service collection (services.Add...), see docs/dependency-injection.md")
    {
    }
}
