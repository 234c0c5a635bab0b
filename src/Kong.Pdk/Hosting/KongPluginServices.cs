namespace Kong.Pdk.Hosting;

/// <summary>
/// What the generated factory of a plugin with constructor parameters calls: one line per parameter, written out at
/// compile time instead of <c>ActivatorUtilities</c>, so it is trim and NativeAOT clean.
/// </summary>
public static class KongPluginServices
{
    /// <summary>The service <typeparamref name="T"/> for a constructor parameter of <paramref name="pluginName"/>.</summary>
    /// <exception cref="InvalidOperationException">No service of type <typeparamref name="T"/> is registered; the
    /// message names the plugin and the type.</exception>
    public static T GetRequiredService<T>(IServiceProvider services, string pluginName)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.GetService(typeof(T)) is T service) return service;
        throw new KongMissingServiceException(pluginName, typeof(T));
    }

    /// <summary>The service <typeparamref name="T"/> for an optional constructor parameter (one with a default value):
    /// <see langword="null"/> when none is registered.</summary>
    public static T? GetService<T>(IServiceProvider services)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetService(typeof(T)) as T;
    }
}
