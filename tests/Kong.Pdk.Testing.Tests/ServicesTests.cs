using Kong.Pdk.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Kong.Pdk.Testing.Tests;

/// <summary>docs/dependency-injection.md, Testing: a plugin with services runs in the test host when its options carry
/// them, with <see cref="KongInstanceInfo"/> filled from the keys the host adds.</summary>
public class ServicesTests
{
    [Fact]
    public async Task Plugin_with_services_gets_them_from_the_options_and_its_instance_info()
    {
        ServiceProvider services = new ServiceCollection()
            .AddSingleton(new Greeting("hi"))
            .AddKongPlugin(new ServicePlugin())
            .BuildServiceProvider();
        await using (services)
        {
            await using var host = PluginTestHost.Create(services.GetRequiredService<KongPluginDescriptor>(), "{}",
                new PluginTestHostOptions { Server = { Services = services } });

            KongTestResult result = await host.RunAsync(KongTestRequest.Get("/"), Bounded.Token);

            Assert.Equal("hi", result.Response.Headers["x-greeting"]);
            Assert.Equal(new PluginTestHostOptions().PluginId, result.Response.Headers["x-plugin-id"]);
        }
    }

    public sealed record Greeting(string Text);

    /// <summary>A hand-written descriptor that needs services, like the generated one of a plugin with constructor
    /// parameters.</summary>
    private sealed class ServicePlugin : KongPluginDescriptor
    {
        public override string Name => "service-plugin";

        public override string Version => "1.0.0";

        public override int Priority => 10;

        public override IReadOnlyList<KongPhase> Phases { get; } = [KongPhase.Access];

        public override string SchemaJson => "{\"name\":\"service-plugin\",\"fields\":[{\"config\":{\"type\":\"record\",\"fields\":[]}}]}";

        public override bool RequiresServices => true;

        public override IKongPluginInstance CreateInstance(ReadOnlySpan<byte> configJson) => throw new InvalidOperationException("needs services");

        public override IKongPluginInstance CreateInstance(ReadOnlySpan<byte> configJson, IServiceProvider services)
            => new Instance(KongPluginServices.GetRequiredService<Greeting>(services, Name), KongPluginServices.GetRequiredService<KongInstanceInfo>(services, Name));

        private sealed class Instance(Greeting greeting, KongInstanceInfo info) : IKongPluginInstance
        {
            public async ValueTask InvokeAsync(KongPhase phase, IKong kong, CancellationToken cancellationToken)
            {
                await kong.Response.SetHeaderAsync("x-greeting", greeting.Text, cancellationToken);
                await kong.Response.SetHeaderAsync("x-plugin-id", info.PluginId ?? "", cancellationToken);
            }
        }
    }
}
