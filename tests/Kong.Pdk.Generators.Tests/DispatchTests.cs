using System.Reflection;
using Kong.Pdk.Hosting;
using Xunit;

namespace Kong.Pdk.Generators.Tests;

public class DispatchTests
{
    private const string Recording = """
        namespace Dispatch
        {
            [KongPlugin("recorder")]
            public sealed partial class Recorder
            {
                public static readonly List<string> Calls = new();

                public ValueTask Access(IKong kong, CancellationToken cancellationToken)
                {
                    Calls.Add("access:" + cancellationToken.CanBeCanceled);
                    return default;
                }

                public async Task Response(IKong kong)
                {
                    await Task.Yield();
                    Calls.Add("response");
                }

                public Task Log(IKong kong, CancellationToken cancellationToken)
                {
                    Calls.Add("log:" + cancellationToken.CanBeCanceled);
                    return Task.CompletedTask;
                }

                public ValueTask Rewrite(IKong kong)
                {
                    Calls.Add("rewrite");
                    return default;
                }
            }
        }
        """;

    [Fact]
    public async Task Dispatch_EachDeclaredPhase_CallsItsHandlerWithTheToken()
    {
        KongPluginDescriptor descriptor = TestCompiler.Descriptor(TestCompiler.Usings + Recording, "Dispatch.Recorder");
        var calls = (List<string>)descriptor.GetType().DeclaringType!.GetField("Calls", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        IKongPluginInstance instance = descriptor.CreateInstance("{}"u8);
        using var cancellation = new CancellationTokenSource();

        Assert.Equal(new[] { KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Log }, descriptor.Phases);
        foreach (KongPhase phase in descriptor.Phases)
        {
            await instance.InvokeAsync(phase, null!, cancellation.Token);
        }

        Assert.Equal(new[] { "rewrite", "access:True", "response", "log:True" }, calls);
    }

    [Fact]
    public async Task Dispatch_UndeclaredPhase_FaultsWithArgumentOutOfRange()
    {
        KongPluginDescriptor descriptor = TestCompiler.Descriptor(TestCompiler.Usings + Plugins.Hello, "Samples.Hello.HelloPlugin");
        IKongPluginInstance instance = descriptor.CreateInstance("{}"u8);
        var exception = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => instance.InvokeAsync(KongPhase.Log, null!, default).AsTask());
        Assert.Contains("'hello' has no handler", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispatch_PhasesList_IsReadOnly()
    {
        KongPluginDescriptor descriptor = TestCompiler.Descriptor(TestCompiler.Usings + Plugins.Hello, "Samples.Hello.HelloPlugin");
        Assert.Equal(new[] { KongPhase.Access }, descriptor.Phases);
        Assert.False(descriptor.Phases is KongPhase[]);
        Assert.Same(descriptor, descriptor.GetType().DeclaringType!.GetProperty("Descriptor")!.GetValue(null));
    }
}
