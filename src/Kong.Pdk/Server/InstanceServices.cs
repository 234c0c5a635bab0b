using Kong.Pdk.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Kong.Pdk.Server;

/// <summary>
/// The services of one plugin instance: a scope of <see cref="KongServerOptions.Services"/>, which answers
/// <see cref="KongInstanceInfo"/> itself (and through <see cref="KongInstanceInfoAccessor"/> for services the container
/// builds, when <c>AddKongPlugin</c> registered it). Disposed in the background once the instance is retired.
/// </summary>
internal sealed class InstanceServices : IServiceProvider, ISupportRequiredService
{
    private readonly AsyncServiceScope _scope;
    private readonly ServerLog _log;
    private readonly TaskCompletionSource _disposal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    private InstanceServices(AsyncServiceScope scope, KongInstanceInfo info, ServerLog log)
    {
        _scope = scope;
        Info = info;
        _log = log;
    }

    public KongInstanceInfo Info { get; }

    public static InstanceServices Create(IServiceProvider root, KongInstanceInfo info, ServerLog log)
    {
        AsyncServiceScope scope = root.CreateAsyncScope();
        try
        {
            if (scope.ServiceProvider.GetService(typeof(KongInstanceInfoAccessor)) is KongInstanceInfoAccessor accessor) accessor.Info = info;
        }
        catch
        {
            _ = scope.DisposeAsync();
            throw;
        }

        return new InstanceServices(scope, info, log);
    }

    public object? GetService(Type serviceType)
        => serviceType == typeof(KongInstanceInfo) ? Info : _scope.ServiceProvider.GetService(serviceType);

    public object GetRequiredService(Type serviceType)
        => serviceType == typeof(KongInstanceInfo) ? Info : _scope.ServiceProvider.GetRequiredService(serviceType);

    /// <summary>Disposes the scope off the caller's thread: a service's DisposeAsync may take its time and must not hold
    /// a connection's read loop.</summary>
    public void DisposeInBackground() => _ = Task.Run(DisposeAsync);

    /// <summary>Disposes the scope, once; a failure is logged with its type only (a message may hold a value).</summary>
    public async Task DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try
        {
            await _scope.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _log.Error($"disposing the services of instance {Info.InstanceId} of {Info.PluginName} failed: {ex.GetType().FullName}");
        }
        finally
        {
            _disposal.TrySetResult();
        }
    }

    /// <summary>Completes once the scope has been disposed (by whichever caller disposed it).</summary>
    public Task Disposal => _disposal.Task;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;
}
