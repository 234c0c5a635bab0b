using System.Text;
using Kong.Pdk.Generators.Diagnostics;
using Kong.Pdk.Hosting;
using Microsoft.CodeAnalysis;
using Xunit;
using Verify = Kong.Pdk.Generators.Tests.Verifiers;

namespace Kong.Pdk.Generators.Tests;

/// <summary>Constructor injection (docs/dependency-injection.md): the generated factory, the generated Main with
/// services, and the analyzers that catch what the generator can know.</summary>
public class DependencyInjectionTests
{
    public const string ServicePlugin = """
        public interface IGreeter { string Greet(string name); }
        public sealed class Greeter : IGreeter { public string Greet(string name) => "hello " + name; }
        public interface IOptional { }

        [KongPlugin("di-plugin", Version = "1.0.0")]
        public sealed partial class DiPlugin
        {
            private readonly IGreeter _greeter;

            public DiPlugin(IGreeter greeter, KongInstanceInfo info, IOptional? optional = null)
            {
                _greeter = greeter;
                Info = info;
                Optional = optional;
            }

            internal KongInstanceInfo Info { get; }

            internal IOptional? Optional { get; }

            internal IGreeter Greeter => _greeter;

            public string Name { get; set; } = "world";

            public ValueTask Access(IKong kong) => default;
        }
        """;

    /// <summary>The stand-in of Kong.Pdk.Extensions.Hosting's entry type, for the generated Main to call.</summary>
    internal const string HostingPackage = """
        namespace Kong.Pdk.Extensions.Hosting
        {
            public static class KongPluginApplication
            {
                public static System.Threading.Tasks.Task<int> RunAsync(string[] args, System.Action<Builder> configure) => System.Threading.Tasks.Task.FromResult(0);
            }

            public sealed class Builder
            {
                public Microsoft.Extensions.DependencyInjection.IServiceCollection Services { get; } = null!;
            }
        }
        """;

    [Fact]
    public void Generator_ConstructorWithServices_MatchesSnapshot()
    {
        var result = TestCompiler.RunClean(TestCompiler.Usings + ServicePlugin);
        Snapshot.MatchAll(result.Files);
    }

    [Fact]
    public void Generator_ConstructorWithServices_ResolvesEachParameterFromTheProvider()
    {
        KongPluginDescriptor descriptor = TestCompiler.Descriptor(TestCompiler.Usings + ServicePlugin, "DiPlugin");
        Assert.True(descriptor.RequiresServices);
        var info = new KongInstanceInfo("di-plugin", 7, "plugin-id", "key", 3, "ws");
        var services = new MapProvider { [typeof(KongInstanceInfo)] = info };
        services[GreeterType(descriptor)] = Activator.CreateInstance(descriptor.GetType().Assembly.GetType("Greeter")!)!;

        object plugin = descriptor.CreateInstance("""{"name":"kong","__seq__":3}"""u8, services);

        Assert.Same(info, plugin.GetType().GetProperty("Info", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(plugin));
        Assert.Null(plugin.GetType().GetProperty("Optional", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(plugin));
        Assert.Equal("kong", plugin.GetType().GetProperty("Name")!.GetValue(plugin));
    }

    [Fact]
    public void Generator_MissingService_ThrowsNamingThePluginAndTheType()
    {
        KongPluginDescriptor descriptor = TestCompiler.Descriptor(TestCompiler.Usings + ServicePlugin, "DiPlugin");
        var services = new MapProvider();

        InvalidOperationException error = Assert.ThrowsAny<InvalidOperationException>(() => descriptor.CreateInstance("""{"name":"secret-value"}"""u8, services));

        Assert.Contains("'di-plugin'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'IGreeter'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generator_ConstructorWithServices_WithoutProviderThrowsAClearError()
    {
        KongPluginDescriptor descriptor = TestCompiler.Descriptor(TestCompiler.Usings + ServicePlugin, "DiPlugin");
        var error = Assert.Throws<InvalidOperationException>(() => descriptor.CreateInstance("{}"u8));
        Assert.Contains("takes services in its constructor", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generator_ParameterlessPlugin_DoesNotRequireServices()
    {
        KongPluginDescriptor descriptor = TestCompiler.Descriptor(TestCompiler.Usings + Plugins.Hello, "Samples.Hello.HelloPlugin");
        Assert.False(descriptor.RequiresServices);
        Assert.NotNull(descriptor.CreateInstance("{}"u8, new MapProvider()));
    }

    [Fact]
    public void Generator_PluginClass_ImplementsIKongPluginWithItsDescriptor()
    {
        var result = TestCompiler.RunClean(TestCompiler.Usings + Plugins.Hello);
        Assert.Contains(": global::Kong.Pdk.Hosting.IKongPlugin", result.File("Samples.Hello.HelloPlugin"), StringComparison.Ordinal);
    }

    [Fact]
    public void Generator_ExecutableWithServicesAndHostingPackage_MainRunsTheHostWithConfigureServices()
    {
        var result = TestCompiler.RunClean(TestCompiler.Usings + ServicePlugin.Replace(
            "public ValueTask Access(IKong kong) => default;",
            "public ValueTask Access(IKong kong) => default;\n    public static void ConfigureServices(Microsoft.Extensions.DependencyInjection.IServiceCollection services) { }",
            StringComparison.Ordinal) + Plugins.Hello + HostingPackage, OutputKind.ConsoleApplication);
        Snapshot.Match(result.File("Kong.Pdk.Generated.KongPluginEntryPoint"), "KongPluginEntryPoint");
    }

    [Fact]
    public void Generator_ExecutableWithHostingPackage_RunsTheHostEvenWithoutServices()
    {
        // Library plugins' constructors are not visible to the executable: with the hosting package, the host serves them.
        var result = TestCompiler.RunClean(TestCompiler.Usings + Plugins.Hello + HostingPackage, OutputKind.ConsoleApplication);
        string main = result.File("Kong.Pdk.Generated.KongPluginEntryPoint");
        Assert.Contains("global::Kong.Pdk.Extensions.Hosting.KongPluginApplication.RunAsync(args", main, StringComparison.Ordinal);
        Assert.DoesNotContain("ConfigureServices", main, StringComparison.Ordinal);
    }

    [Fact]
    public void Generator_ExecutableWithServicesWithoutHostingPackage_WritesNoMain()
    {
        var result = TestCompiler.Run(TestCompiler.Create(TestCompiler.Usings + ServicePlugin, OutputKind.ConsoleApplication));
        Assert.DoesNotContain(result.Files.Keys, k => k.Contains("EntryPoint", StringComparison.Ordinal));
    }

    [Fact]
    public Task KONG0210_ParametersNoProviderCanGive_AreReported() => Verify.AnalyzeAsync<PluginServicesAnalyzer>("""
        public ref struct Span2 { }
        public enum Mode { A }
        public struct Point { }
        [KongPlugin("p")]
        public partial class P
        {
            public P(int {|KONG0210:count|}, string {|KONG0210:name|}, Mode {|KONG0210:mode|}, Point {|KONG0210:point|}, ref IDisposable {|KONG0210:byRef|},
                IDisposable[] {|KONG0210:array|}, IServiceProvider services, IDisposable? optional = null, params IDisposable[] {|KONG0210:rest|}) { }
            public ValueTask Access(IKong kong) => default;
        }
        """);

    [Fact]
    public Task KONG0210_KeyedService_IsReported() => Verify.AnalyzeAsync<PluginServicesAnalyzer>("""
        [KongPlugin("p")]
        public partial class P
        {
            public P([Microsoft.Extensions.DependencyInjection.FromKeyedServices("a")] IDisposable {|KONG0210:keyed|}) { }
            public ValueTask Access(IKong kong) => default;
        }
        """);

    [Fact]
    public Task KONG0210_ServiceParameters_AreNotReported() => Verify.AnalyzeAsync<PluginServicesAnalyzer>("""
        public interface IClock { }
        public sealed class Cache { }
        [KongPlugin("p")]
        public partial class P
        {
            public P(IClock clock, Cache cache, KongInstanceInfo info, Microsoft.Extensions.Logging.ILogger<P> logger, IEnumerable<IClock> all, Func<IClock> factory) { }
            public ValueTask Access(IKong kong) => default;
        }
        """);

    [Fact]
    public Task KONG0210_MarkedConstructorIsTheOneChecked() => Verify.AnalyzeAsync<PluginServicesAnalyzer>("""
        [KongPlugin("p")]
        public partial class P
        {
            public P(int ignored) { }
            [Microsoft.Extensions.DependencyInjection.ActivatorUtilitiesConstructor]
            public P(IDisposable service, long {|KONG0210:number|}) { }
            public ValueTask Access(IKong kong) => default;
        }
        """);

    [Fact]
    public Task KONG0211_ServicesInAnExecutableWithoutHostingPackage_IsReported()
    {
        var test = new Microsoft.CodeAnalysis.CSharp.Testing.CSharpAnalyzerTest<PluginServicesAnalyzer, Microsoft.CodeAnalysis.Testing.DefaultVerifier>
        {
            TestCode = Verifiers.Prefix + """
                [KongPlugin("p")]
                public partial class {|KONG0211:P|}
                {
                    public P(IDisposable service) { }
                    public ValueTask Access(IKong kong) => default;
                }
                """,
            ReferenceAssemblies = new Microsoft.CodeAnalysis.Testing.ReferenceAssemblies("net8.0-basic"),
        };
        test.TestState.OutputKind = OutputKind.ConsoleApplication;
        test.TestState.AdditionalReferences.AddRange(TestCompiler.References);
        test.CompilerDiagnostics = Microsoft.CodeAnalysis.Testing.CompilerDiagnostics.None; // CS5001: no Main, which KONG0211 explains
        return test.RunAsync();
    }

    [Fact]
    public Task KONG0211_LibraryOrOwnMain_IsNotReported() => Verify.AnalyzeAsync<PluginServicesAnalyzer>("""
        [KongPlugin("p")]
        public partial class P
        {
            public P(IDisposable service) { }
            public ValueTask Access(IKong kong) => default;
        }
        """);

    [Fact]
    public Task KONG0212_ConfigureServicesOfTheWrongShape_IsReported() => Verify.AnalyzeAsync<PluginServicesAnalyzer>("""
        [KongPlugin("p")]
        public partial class P
        {
            public void {|KONG0212:ConfigureServices|}(Microsoft.Extensions.DependencyInjection.IServiceCollection services) { }
            public ValueTask Access(IKong kong) => default;
        }
        [KongPlugin("q")]
        public partial class Q
        {
            public static void ConfigureServices(Microsoft.Extensions.DependencyInjection.IServiceCollection services) { }
            public ValueTask Access(IKong kong) => default;
        }
        """);

    private static Type GreeterType(KongPluginDescriptor descriptor) => descriptor.GetType().Assembly.GetType("IGreeter")!;

    private sealed class MapProvider : Dictionary<Type, object>, IServiceProvider
    {
        public object? GetService(Type serviceType) => TryGetValue(serviceType, out object? service) ? service : null;
    }
}
