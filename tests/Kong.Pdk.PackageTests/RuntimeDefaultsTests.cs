using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace Kong.Pdk.PackageTests;

/// <summary>
/// Issue 13 item 2: the package's build/Kong.Pdk.props gives a plugin project its runtime defaults for the JIT
/// (docs/performance.md, "JIT warm-up"): they reach the built plugin's runtimeconfig.json, and a project that sets
/// the property itself keeps its own value.
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed class RuntimeDefaultsTests(PackageFixture package, ITestOutputHelper output)
{
    private const string QuickJit = "System.Runtime.TieredCompilation.QuickJit";

    private const string Plugin = """
        using Kong.Pdk;

        namespace JitDefaults;

        [KongPlugin("jit-defaults", Version = "1.0.0")]
        public sealed partial class JitDefaultsPlugin
        {
            public ValueTask Access(IKong kong) => default;
        }
        """;

    [Fact]
    public async Task PluginProject_GetsQuickJitOff_InItsRuntimeConfig()
    {
        JsonElement options = await BuildAndReadConfigPropertiesAsync("JitDefaults", "");

        Assert.True(options.TryGetProperty(QuickJit, out JsonElement quickJit), $"no {QuickJit} in the runtimeconfig: {options}");
        Assert.False(quickJit.GetBoolean());
    }

    [Fact]
    public async Task PluginProject_SettingQuickJitItself_KeepsItsValue()
    {
        JsonElement options = await BuildAndReadConfigPropertiesAsync("JitOwnChoice", "<TieredCompilationQuickJit>true</TieredCompilationQuickJit>");

        Assert.True(options.TryGetProperty(QuickJit, out JsonElement quickJit), $"no {QuickJit} in the runtimeconfig: {options}");
        Assert.True(quickJit.GetBoolean());
    }

    private async Task<JsonElement> BuildAndReadConfigPropertiesAsync(string name, string extraProperties)
    {
        string directory = package.NewProjectDirectory(name);
        File.WriteAllText(Path.Combine(directory, name + ".csproj"), package.ProjectFile(extraProperties));
        File.WriteAllText(Path.Combine(directory, name + ".cs"), Plugin);

        ProcessResult build = await package.BuildAsync(directory);
        output.WriteLine(build.ToString());
        Assert.True(build.ExitCode == 0, build.ToString());

        string runtimeConfig = Path.Combine(directory, "bin", "Release", "net10.0", name + ".runtimeconfig.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(runtimeConfig));
        return document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }
}
