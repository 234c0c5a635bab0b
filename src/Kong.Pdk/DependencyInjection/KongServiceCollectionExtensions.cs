using Kong.Pdk;
using Kong.Pdk.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

// In Microsoft.Extensions.DependencyInjection, like every library's AddXxx, so `services.AddKongPlugin<T>()` needs no
// extra using (the folder is named after the namespace's last part).
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Kong plugins in an <see cref="IServiceCollection"/> (docs/dependency-injection.md).</summary>
public static class KongServiceCollectionExtensions
{
    /// <summary>
    /// Registers the plugin <typeparamref name="TPlugin"/> (its generated descriptor, as a
    /// <see cref="KongPluginDescriptor"/> singleton) and makes <see cref="KongInstanceInfo"/> a scoped service: one per
    /// plugin instance, that is per Kong configuration. The plugin itself is not a service: the server creates one
    /// object per instance with the generated factory.
    /// </summary>
    public static IServiceCollection AddKongPlugin<TPlugin>(this IServiceCollection services)
        where TPlugin : IKongPlugin
        => services.AddKongPlugin(TPlugin.Descriptor);

    /// <summary>Like <see cref="AddKongPlugin{TPlugin}(IServiceCollection)"/> for a descriptor (a hand-written one, or
    /// one from a plugin library). A descriptor added twice is registered once.</summary>
    public static IServiceCollection AddKongPlugin(this IServiceCollection services, KongPluginDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(descriptor);
        bool present = false;
        foreach (ServiceDescriptor registered in services)
        {
            present |= registered.ServiceType == typeof(KongPluginDescriptor) && ReferenceEquals(registered.ImplementationInstance, descriptor);
        }

        if (!present) services.AddSingleton(descriptor);
        services.TryAddScoped<KongInstanceInfoAccessor>();
        services.TryAddScoped(static provider => provider.GetRequiredService<KongInstanceInfoAccessor>().GetRequired());
        return services;
    }
}
