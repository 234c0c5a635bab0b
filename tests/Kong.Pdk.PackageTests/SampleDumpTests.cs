using System.Reflection;
using System.Runtime.Loader;
using Xunit;
using Xunit.Abstractions;

namespace Kong.Pdk.PackageTests;

/// <summary>
/// Issue 3: "the dump of every sample is checked against Kong's schema rules" (kong-protocol.md §2.4–§2.6). Each
/// sample executable is run with <c>-dump</c>, as Kong's <c>query_cmd</c> does, and its phases are compared with
/// the handler methods the sample's <c>[KongPlugin]</c> class really has.
/// </summary>
public sealed class SampleDumpTests(ITestOutputHelper output)
{
    /// <summary>Every sample plugin in samples/ (a test below fails when one is added without being listed): the
    /// project that holds its <c>[KongPlugin]</c> class, the executable that serves it, and for an executable that
    /// serves several, the plugin's name (its dump is taken with <c>-plugin NAME</c>, as Kong 3.9+ query it).</summary>
    private static readonly (string Project, string Executable, string? Plugin)[] SamplePlugins =
    [
        ("GreetingService", "GreetingService", null),
        ("HelloPlugin", "HelloPlugin", null),
        ("RateLimitHeaders", "RateLimitHeaders", null),
        ("HeaderStamp", "PluginLibraries/PluginHost", "header-stamp"),
        ("RequestGuard", "PluginLibraries/PluginHost", "request-guard"),
        ("TokenIntrospection", "TokenIntrospection", null),
    ];

    public static TheoryData<string> Samples => new(SamplePlugins.Select(p => p.Project));

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task SampleDump_PassesKongsSchemaRules_AndListsExactlyItsHandlers(string sample)
    {
        (string project, string executable, string? plugin) = SamplePlugins.Single(p => p.Project == sample);
        string dll = RepoPaths.SampleDll(executable);
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution in {RepoPaths.Configuration} first");

        ProcessResult dump = await PackageFixture.DumpAsync(dll, plugin is null ? [] : ["-plugin", plugin]);
        output.WriteLine(dump.ToString());
        Assert.True(dump.ExitCode == 0, dump.ToString());

        IReadOnlyList<string> handlers = HandlerPhases(dll, project);
        KongDumpInfo info = KongSchemaValidator.ValidateDump(dump.Output, handlers);
        Assert.NotEmpty(handlers);
        Assert.Equal(KongSchemaValidator.KongPhases.Where(handlers.Contains), info.Phases); // Kong's order
    }

    [Fact]
    public void SampleList_CoversEveryPluginProjectUnderSamples()
    {
        var plugins = Directory.EnumerateFiles(RepoPaths.Combine("samples"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && File.ReadAllText(f).Contains("[KongPlugin(", StringComparison.Ordinal))
            .Select(f => Path.GetFileName(Path.GetDirectoryName(f))!)
            .Where(project => !project.EndsWith(".Tests", StringComparison.Ordinal))
            .Distinct()
            .Order(StringComparer.Ordinal);

        Assert.Equal(plugins, SamplePlugins.Select(p => p.Project).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// The phases the sample's <c>[KongPlugin]</c> class implements: its public instance methods named after a
    /// phase, read from the built assembly <paramref name="project"/> (beside the executable <paramref name="dll"/>)
    /// in a throw-away load context.
    /// </summary>
    private static IReadOnlyList<string> HandlerPhases(string dll, string project)
    {
        var context = new SampleLoadContext(dll);
        try
        {
            Assembly assembly = context.LoadFromAssemblyPath(Path.Combine(Path.GetDirectoryName(dll)!, project + ".dll"));
            Type plugin = assembly.GetTypes().Single(t => t.GetCustomAttributesData().Any(a => a.AttributeType.FullName == "Kong.Pdk.KongPluginAttribute"));
            return KongSchemaValidator.KongPhases
                .Where(phase => plugin.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                    .Any(m => string.Equals(m.Name, phase, StringComparison.OrdinalIgnoreCase)))
                .ToList();
        }
        finally
        {
            context.Unload();
        }
    }

    private sealed class SampleLoadContext(string dll) : AssemblyLoadContext(isCollectible: true)
    {
        private readonly AssemblyDependencyResolver _resolver = new(dll);

        protected override Assembly? Load(AssemblyName name) =>
            _resolver.ResolveAssemblyToPath(name) is { } path ? LoadFromAssemblyPath(path) : null;
    }
}
