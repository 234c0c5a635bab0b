using Kong.Pdk.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Kong.Pdk.Tests;

/// <summary>A plugin with <c>init</c>-only (and <c>required</c>) configuration properties is constructed once per
/// instance: the generated binder sets them in a constructor of its own that chains to the plugin's, rather than
/// constructing a default instance first to read the initializers' values.</summary>
public sealed class InitOnlyConfigTests
{
    [Fact]
    public void CreateInstance_InitOnlyPropertiesAndServices_ConstructorAndServiceRunOnce()
    {
        int before = InitOnlyServicePlugin.Constructed;
        int servicesBefore = CountedService.Created;
        using ServiceProvider services = new ServiceCollection().AddTransient<CountedService>().BuildServiceProvider();

        var plugin = (InitOnlyServicePlugin)InitOnlyServicePlugin.Descriptor.CreateInstance("""{"host":"example.com","port":8443}"""u8, services);

        Assert.Equal(1, InitOnlyServicePlugin.Constructed - before);
        Assert.Equal(1, CountedService.Created - servicesBefore);
        Assert.Equal(("example.com", 8443, "/"), (plugin.Host, plugin.Port, plugin.Path)); // unset: its initializer's value
        Assert.NotNull(plugin.Service);
    }

    [Fact]
    public void CreateInstance_InitOnlyPropertiesWithTheImplicitConstructor_ConstructedOnce_StillNewable()
    {
        int before = InitOnlyPlugin.InitializerRuns;

        var plugin = (InitOnlyPlugin)InitOnlyPlugin.Descriptor.CreateInstance("""{"name":"n"}"""u8);

        Assert.Equal(1, InitOnlyPlugin.InitializerRuns - before);
        Assert.Equal(("n", 3), (plugin.Name, plugin.Retries));
        Assert.Equal(3, new InitOnlyPlugin { Name = "x" }.Retries); // the parameterless constructor stays public
        Assert.Equal("invalid config field 'name': the field is required but missing",
            Assert.Throws<KongConfigException>(() => InitOnlyPlugin.Descriptor.CreateInstance("""{"retries":1}"""u8)).Message);
    }
}

public sealed class CountedService
{
    private static int s_created;

    public CountedService() => Interlocked.Increment(ref s_created);

    public static int Created => Volatile.Read(ref s_created);
}

[KongPlugin("init-only-services", Version = "1.0.0")]
public sealed partial class InitOnlyServicePlugin
{
    private static int s_constructed;

    public InitOnlyServicePlugin(CountedService service)
    {
        Service = service;
        Interlocked.Increment(ref s_constructed);
    }

    public static int Constructed => Volatile.Read(ref s_constructed);

    internal CountedService Service { get; }

    public string Host { get; init; } = "localhost";

    public int Port { get; init; } = 443;

    public string Path { get; init; } = "/";

    public ValueTask Access(IKong kong) => default;
}

[KongPlugin("init-only", Version = "1.0.0")]
public sealed partial class InitOnlyPlugin
{
    private static int s_initializerRuns;

    public required string Name { get; init; } = Count("default");

    public int Retries { get; init; } = 3;

    public static int InitializerRuns => Volatile.Read(ref s_initializerRuns);

    public ValueTask Access(IKong kong) => default;

    private static string Count(string value)
    {
        Interlocked.Increment(ref s_initializerRuns);
        return value;
    }
}
