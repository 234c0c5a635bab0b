using System.Collections.Immutable;
using Kong.Pdk.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Kong.Pdk.Generators.Tests;

/// <summary>Plugin libraries (docs/plugin-libraries.md): a class library names its plugins in its metadata, and an
/// executable's generated <c>Main</c> serves them beside its own, found at compile time.</summary>
public class PluginLibraryTests
{
    private const string Stamp = """
        namespace Stamps
        {
            [KongPlugin("header-stamp", Version = "1.0.0")]
            public sealed partial class HeaderStamp
            {
                public ValueTask Access(IKong kong, CancellationToken cancellationToken) => default;
            }
        }
        """;

    private const string Guard = """
        namespace Guards
        {
            public static partial class Outer
            {
                [KongPlugin("request-guard", Version = "1.0.0")]
                public sealed partial class RequestGuard
                {
                    public ValueTask Access(IKong kong, CancellationToken cancellationToken) => default;
                }
            }
        }
        """;

    private const string EmptyHost = "namespace Host { internal static class Marker { } }";

    /// <summary>Compiles <paramref name="source"/> as a class library named <paramref name="name"/>, with the generator,
    /// and returns it as a reference: a compiled image (a NuGet package or a built project) or, as the IDE passes a
    /// project reference, the compilation itself.</summary>
    private static MetadataReference Library(string name, string source, bool asImage = true, params MetadataReference[] references)
    {
        CSharpCompilation library = TestCompiler.Create(TestCompiler.Usings + source, OutputKind.DynamicallyLinkedLibrary, name).AddReferences(references);
        TestCompiler.Result result = TestCompiler.Run(library);
        TestCompiler.AssertCompilesCleanly(result.Output);
        if (!asImage)
        {
            return result.Output.ToMetadataReference();
        }

        using var image = new MemoryStream();
        Assert.True(result.Output.Emit(image).Success);
        return MetadataReference.CreateFromImage(image.ToArray());
    }

    private static (TestCompiler.Result Result, ImmutableArray<Diagnostic> Diagnostics) Host(string source, params MetadataReference[] libraries)
    {
        CSharpCompilation host = TestCompiler.Create(TestCompiler.Usings + source, OutputKind.ConsoleApplication, "PluginHost").AddReferences(libraries);
        GeneratorDriver driver = TestCompiler.CreateDriver().RunGeneratorsAndUpdateCompilation(host, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return (new TestCompiler.Result(output, driver.GetRunResult(), driver), diagnostics);
    }

    [Fact]
    public void Library_NamesEveryPluginInItsMetadata_InNameOrder()
    {
        TestCompiler.Result result = TestCompiler.RunClean(TestCompiler.Usings + Guard + Stamp);
        string exports = result.File("Kong.Pdk.Generated.KongPluginExports");
        Assert.Contains("[assembly: global::Kong.Pdk.Hosting.KongPluginExport(typeof(global::Stamps.HeaderStamp), \"header-stamp\")]\n"
            + "[assembly: global::Kong.Pdk.Hosting.KongPluginExport(typeof(global::Guards.Outer.RequestGuard), \"request-guard\")]\n", exports, StringComparison.Ordinal);

        IAssemblySymbol assembly = result.Output.Assembly;
        Assert.Equal(["header-stamp", "request-guard"], assembly.GetAttributes()
            .Where(a => a.AttributeClass?.Name == "KongPluginExportAttribute")
            .Select(a => (string)a.ConstructorArguments[1].Value!));
        Assert.DoesNotContain(result.Files.Keys, k => k.Contains("EntryPoint", StringComparison.Ordinal));
    }

    [Fact]
    public void Executable_ExportsNothing_LibraryWithoutPlugins_ExportsNothing()
    {
        Assert.DoesNotContain(TestCompiler.RunClean(TestCompiler.Usings + Stamp, OutputKind.ConsoleApplication).Files.Keys,
            k => k.Contains("Exports", StringComparison.Ordinal));
        Assert.Empty(TestCompiler.RunClean(EmptyHost).Files);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void HostWithoutPlugins_ServesThePluginsOfBothLibraries_InNameOrder(bool asImage)
    {
        var (result, diagnostics) = Host(EmptyHost, Library("RequestGuard", Guard, asImage), Library("HeaderStamp", Stamp, asImage));

        Assert.Empty(diagnostics);
        TestCompiler.AssertCompilesCleanly(result.Output);
        Assert.Contains("KongPluginHost.RunAsync(args, global::Stamps.HeaderStamp.Descriptor, global::Guards.Outer.RequestGuard.Descriptor);",
            result.File("Kong.Pdk.Generated.KongPluginEntryPoint"), StringComparison.Ordinal);
        Assert.NotNull(result.Output.GetEntryPoint(CancellationToken.None));
    }

    [Fact]
    public void HostWithItsOwnPlugin_ServesItBesideTheLibraryPlugins()
    {
        var (result, diagnostics) = Host(Plugins.Hello, Library("HeaderStamp", Stamp), Library("RequestGuard", Guard));

        Assert.Empty(diagnostics);
        TestCompiler.AssertCompilesCleanly(result.Output);
        Assert.Contains("RunAsync(args, global::Stamps.HeaderStamp.Descriptor, global::Samples.Hello.HelloPlugin.Descriptor, global::Guards.Outer.RequestGuard.Descriptor);",
            result.File("Kong.Pdk.Generated.KongPluginEntryPoint"), StringComparison.Ordinal);
    }

    [Fact]
    public void HostWithItsOwnMain_OrTopLevelStatements_GetsNoEntryPointAndNoDiagnostic()
    {
        MetadataReference stamp = Library("HeaderStamp", Stamp);
        MetadataReference twin = Library("Twin", Stamp.Replace("Stamps", "Twins", StringComparison.Ordinal));
        foreach (string source in new[]
                 {
                     "static class Program { static Task<int> Main(string[] args) => Kong.Pdk.Hosting.KongPluginHost.RunAsync(args, Stamps.HeaderStamp.Descriptor); }",
                     "return await Kong.Pdk.Hosting.KongPluginHost.RunAsync(args, Stamps.HeaderStamp.Descriptor);",
                 })
        {
            var (result, diagnostics) = Host(source, stamp, twin);
            Assert.Empty(diagnostics);
            TestCompiler.AssertCompilesCleanly(result.Output);
            Assert.DoesNotContain(result.Files.Keys, k => k.Contains("EntryPoint", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void LibraryReferencingALibrary_ServesNothing_AndExportsOnlyItsOwn()
    {
        MetadataReference stamp = Library("HeaderStamp", Stamp);
        CSharpCompilation library = TestCompiler.Create(TestCompiler.Usings + Guard, OutputKind.DynamicallyLinkedLibrary, "RequestGuard").AddReferences(stamp);
        TestCompiler.Result result = TestCompiler.Run(library);
        TestCompiler.AssertCompilesCleanly(result.Output);
        Assert.Equal(["Guards.Outer.RequestGuard.KongPlugin", "Kong.Pdk.Generated.KongPluginExports"], result.Files.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("HeaderStamp", result.File("Kong.Pdk.Generated.KongPluginExports"), StringComparison.Ordinal);
    }

    [Fact]
    public void SameNameInTwoLibraries_IsKONG0220_NamingBoth()
    {
        var (_, diagnostics) = Host(EmptyHost,
            Library("HeaderStamp", Stamp),
            Library("AuditStamp", Stamp.Replace("Stamps", "Audit", StringComparison.Ordinal).Replace("HeaderStamp", "AuditStamp", StringComparison.Ordinal)));

        Diagnostic error = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticIds.LibraryPluginNameTaken, error.Id);
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.Equal("Plugin name 'header-stamp' is used by both 'Audit.AuditStamp' of the library 'AuditStamp' and 'Stamps.HeaderStamp' of the library 'HeaderStamp'; "
            + "the executable serves every plugin of the libraries it references beside its own, and each needs its own name", error.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void LibraryPluginNamedLikeTheHostsOwn_IsKONG0220()
    {
        var (_, diagnostics) = Host(Plugins.Hello.Replace("\"hello\"", "\"header-stamp\"", StringComparison.Ordinal), Library("HeaderStamp", Stamp));

        Diagnostic error = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticIds.LibraryPluginNameTaken, error.Id);
        Assert.Contains("by both 'Samples.Hello.HelloPlugin' and 'Stamps.HeaderStamp' of the library 'HeaderStamp'", error.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void InternalPluginOfALibrary_IsKONG0221_AndLeftOut()
    {
        string internalGuard = Guard.Replace("public sealed partial class RequestGuard", "internal sealed partial class RequestGuard", StringComparison.Ordinal);
        var (result, diagnostics) = Host(EmptyHost, Library("HeaderStamp", Stamp), Library("RequestGuard", internalGuard));

        Diagnostic warning = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticIds.LibraryPluginNotPublic, warning.Id);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.StartsWith("Plugin 'request-guard' (Guards.Outer.RequestGuard in the referenced library 'RequestGuard') is not public",
            warning.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        TestCompiler.AssertCompilesCleanly(result.Output);
        Assert.Contains("RunAsync(args, global::Stamps.HeaderStamp.Descriptor);", result.File("Kong.Pdk.Generated.KongPluginEntryPoint"), StringComparison.Ordinal);
    }

    [Fact]
    public void InternalPluginOfALibrary_VisibleToTheHost_IsServed()
    {
        string internalGuard = "[assembly: System.Runtime.CompilerServices.InternalsVisibleTo(\"PluginHost\")]\n"
            + Guard.Replace("public static partial class Outer", "internal static partial class Outer", StringComparison.Ordinal);
        var (result, diagnostics) = Host(EmptyHost, Library("RequestGuard", internalGuard));

        Assert.Empty(diagnostics);
        TestCompiler.AssertCompilesCleanly(result.Output);
        Assert.Contains("RunAsync(args, global::Guards.Outer.RequestGuard.Descriptor);", result.File("Kong.Pdk.Generated.KongPluginEntryPoint"), StringComparison.Ordinal);
    }

    private const string TokenCheck = """
        namespace Tokens
        {
            public interface ITokenCache { }
            public sealed class TokenCache : ITokenCache { }

            [KongPlugin("token-check", Version = "1.0.0")]
            public sealed partial class TokenCheck(ITokenCache cache)
            {
                internal ITokenCache Cache { get; } = cache;

                public static void ConfigureServices(Microsoft.Extensions.DependencyInjection.IServiceCollection services) { }

                public ValueTask Access(IKong kong, CancellationToken cancellationToken) => default;
            }
        }
        """;

    [Fact]
    public void LibraryPluginTakingServices_HostWithoutTheHostingPackage_IsKONG0222_AndGetsNoMain()
    {
        // In the library itself nothing is known about who serves it: no diagnostic there (Library asserts a clean build).
        var (result, diagnostics) = Host(EmptyHost, Library("TokenCheck", TokenCheck), Library("HeaderStamp", Stamp));

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticIds.LibraryServicesWithoutHost, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.StartsWith("Plugin 'token-check' (Tokens.TokenCheck in the referenced library 'TokenCheck') takes services",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.DoesNotContain(result.Files.Keys, k => k.Contains("EntryPoint", StringComparison.Ordinal));

        // A parameterless ConfigureServices hook alone is services too.
        string hookOnly = TokenCheck.Replace("public sealed partial class TokenCheck(ITokenCache cache)", "public sealed partial class TokenCheck", StringComparison.Ordinal)
            .Replace("internal ITokenCache Cache { get; } = cache;", "", StringComparison.Ordinal);
        Assert.Equal(DiagnosticIds.LibraryServicesWithoutHost, Assert.Single(Host(EmptyHost, Library("TokenCheck", hookOnly)).Diagnostics).Id);
    }

    [Fact]
    public void LibraryPluginTakingServices_HostWithTheHostingPackage_RegistersItAndCallsItsPublicConfigureServices()
    {
        var (result, diagnostics) = Host(EmptyHost + DependencyInjectionTests.HostingPackage, Library("TokenCheck", TokenCheck), Library("HeaderStamp", Stamp));

        Assert.Empty(diagnostics);
        TestCompiler.AssertCompilesCleanly(result.Output);
        string main = result.File("Kong.Pdk.Generated.KongPluginEntryPoint");
        Assert.Contains("AddKongPlugin<global::Tokens.TokenCheck>(builder.Services);", main, StringComparison.Ordinal);
        Assert.Contains("global::Tokens.TokenCheck.ConfigureServices(builder.Services);", main, StringComparison.Ordinal);
        Assert.DoesNotContain("HeaderStamp.ConfigureServices", main, StringComparison.Ordinal);

        // An internal hook of the library cannot be called from the executable.
        string internalHook = TokenCheck.Replace("public static void ConfigureServices", "internal static void ConfigureServices", StringComparison.Ordinal);
        var (withInternal, internalDiagnostics) = Host(EmptyHost + DependencyInjectionTests.HostingPackage, Library("TokenCheck", internalHook));
        Assert.Empty(internalDiagnostics);
        TestCompiler.AssertCompilesCleanly(withInternal.Output);
        Assert.DoesNotContain("ConfigureServices", withInternal.File("Kong.Pdk.Generated.KongPluginEntryPoint"), StringComparison.Ordinal);
    }

    [Fact]
    public void Host_UnrelatedEdit_KeepsTheLibraryScanCached()
    {
        CSharpCompilation host = TestCompiler.Create(new[] { TestCompiler.Usings + Plugins.Hello, EmptyHost }, OutputKind.ConsoleApplication, "PluginHost")
            .AddReferences(Library("HeaderStamp", Stamp));
        GeneratorDriver driver = TestCompiler.CreateDriver().RunGenerators(host);
        SyntaxTree old = host.SyntaxTrees.Last();
        driver = driver.RunGenerators(host.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(
            "namespace Host { internal static class Marker { public static int Two => 2; } }", TestCompiler.ParseOptions, old.FilePath)));

        GeneratorRunResult run = driver.GetRunResult().Results.Single();
        Assert.All(run.TrackedSteps[TrackingNames.LibraryPlugins].SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Unchanged, o.Reason));
        Assert.All(run.TrackedSteps[TrackingNames.EntryPoint].SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, "EntryPoint was " + o.Reason));
        Assert.Contains("global::Stamps.HeaderStamp.Descriptor", run.GeneratedSources.Single(s => s.HintName.Contains("EntryPoint", StringComparison.Ordinal)).SourceText.ToString(), StringComparison.Ordinal);
    }
}
