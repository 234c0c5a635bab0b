using System.IO.Compression;
using System.Text.Json;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace Kong.Pdk.PackageTests;

/// <summary>
/// The packaging promise of issue 3: the Kong.Pdk nupkg alone, restored from a local feed into a fresh project,
/// gives a working plugin (the generator runs from <c>analyzers/dotnet/cs</c>) and KONG diagnostics (the
/// analyzers run too); and <c>dotnet new kongplugin</c> creates such a project. One pack serves the whole class.
/// </summary>
public sealed class PackageTests(PackageFixture package, ITestOutputHelper output) : IClassFixture<PackageFixture>
{
    private const string ProbePlugin = """
        using Kong.Pdk;

        namespace PackageProbe;

        public enum Mode { Fast, VerySafe }

        public sealed class Upstream
        {
            [KongDescription("Host name of the upstream server.")]
            public string Host { get; set; } = "localhost";

            [KongBetween(1, 65535)]
            public int Port { get; set; } = 443;
        }

        [KongPlugin("package-probe", Version = "1.2.3", Priority = 42)]
        public sealed partial class PackageProbe
        {
            [KongDescription("Greeting written into the x-probe response header.")]
            public string Greeting { get; set; } = "hi";

            public Mode Mode { get; set; } = Mode.VerySafe;
            public List<string> Tags { get; set; } = ["a", "b"];
            public HashSet<int> Codes { get; set; } = [];
            public Dictionary<string, string>? Extra { get; set; }
            public Upstream Upstream { get; set; } = new();

            public ValueTask Access(IKong kong, CancellationToken cancellationToken)
                => kong.Response.SetHeaderAsync("x-probe", Greeting, cancellationToken);

            public Task Log(IKong kong) => Task.CompletedTask;
        }
        """;

    [Fact]
    public void Package_CarriesGeneratorAndCodeFixesAsAnalyzers_AndBothLibraries()
    {
        using ZipArchive zip = ZipFile.OpenRead(package.PackagePath);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("analyzers/dotnet/cs/Kong.Pdk.Generators.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/Kong.Pdk.CodeFixes.dll", entries);
        Assert.Contains("lib/net8.0/Kong.Pdk.dll", entries);
        Assert.Contains("lib/net10.0/Kong.Pdk.dll", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Generators", StringComparison.Ordinal));

        ZipArchiveEntry nuspecEntry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using Stream stream = nuspecEntry.Open();
        XDocument nuspec = XDocument.Load(stream);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        Assert.Equal(package.Version, nuspec.Descendants(ns + "version").Single().Value);
        // The Roslyn components are build-time only: no package dependency on the generator or Roslyn.
        var dependencies = nuspec.Descendants(ns + "dependency").Select(d => (string)d.Attribute("id")!).ToList();
        Assert.Contains("MessagePack", dependencies);
        Assert.DoesNotContain(dependencies, d => d.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) || d.StartsWith("Kong.Pdk", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FreshProject_ReferencingThePackage_BuildsAPluginWhoseDumpPassesKongsSchemaRules()
    {
        string directory = package.NewProjectDirectory("PackageProbe");
        File.WriteAllText(Path.Combine(directory, "PackageProbe.csproj"), package.ProjectFile());
        File.WriteAllText(Path.Combine(directory, "PackageProbe.cs"), ProbePlugin);

        ProcessResult build = await package.BuildAsync(directory);
        output.WriteLine(build.ToString());
        Assert.True(build.ExitCode == 0, $"the plugin did not build against Kong.Pdk {package.Version}:\n{build}");
        Assert.DoesNotContain("warning KONG", build.Output, StringComparison.Ordinal);

        // The package really came from the local feed, into the private package folder.
        Assert.True(File.Exists(Path.Combine(package.WorkDirectory, ".packages", "kong.pdk", package.Version, $"kong.pdk.{package.Version}.nupkg")));

        string dll = Path.Combine(directory, "bin", "Release", "net10.0", "PackageProbe.dll");
        ProcessResult dump = await PackageFixture.DumpAsync(dll);
        Assert.True(dump.ExitCode == 0, dump.ToString());

        KongDumpInfo info = KongSchemaValidator.ValidateDump(dump.Output, ["access", "log"]);
        Assert.Equal("package-probe", info.Name);
        Assert.Equal("1.2.3", info.Version);
        Assert.Equal(42, info.Priority);
        Assert.Equal(["access", "log"], info.Phases);

        Dictionary<string, JsonElement> fields = ConfigFields(info);
        Assert.Equal(["greeting", "mode", "tags", "codes", "extra", "upstream"], fields.Keys);
        Assert.Equal("Greeting written into the x-probe response header.", fields["greeting"].GetProperty("description").GetString());
        Assert.Equal("""["fast","very_safe"]""", fields["mode"].GetProperty("one_of").GetRawText());
        Assert.Equal("very_safe", fields["mode"].GetProperty("default").GetString());
        Assert.Equal("array", fields["tags"].GetProperty("type").GetString());
        Assert.Equal("set", fields["codes"].GetProperty("type").GetString());
        Assert.Equal("map", fields["extra"].GetProperty("type").GetString());
        Assert.False(fields["extra"].TryGetProperty("required", out _));
        Assert.Equal("record", fields["upstream"].GetProperty("type").GetString());
        Assert.True(fields["upstream"].GetProperty("required").GetBoolean());

        // build/Kong.Pdk.targets came with the package: the executable under the plugin's name and the kong.conf lines.
        string outputFolder = Path.GetDirectoryName(dll)!;
        Assert.True(File.Exists(Path.Combine(outputFolder, "package-probe")), "the executable named after the plugin");
        string snippet = File.ReadAllText(Path.Combine(outputFolder, "kong.conf.snippet"));
        Assert.Contains("pluginserver_package_probe_query_cmd = /usr/local/bin/package-probe -dump", snippet);
    }

    [Fact]
    public async Task FreshProject_WithAHandlerOfTheWrongShape_FailsToBuildWithKONG0001()
    {
        string directory = package.NewProjectDirectory("BadHandler");
        File.WriteAllText(Path.Combine(directory, "BadHandler.csproj"), package.ProjectFile());
        File.WriteAllText(Path.Combine(directory, "BadHandler.cs"), """
            using Kong.Pdk;

            namespace BadHandler;

            [KongPlugin("bad-handler", Version = "1.0.0")]
            public sealed partial class BadHandler
            {
                public void Access(IKong kong)
                {
                }
            }
            """);

        ProcessResult build = await package.BuildAsync(directory);
        output.WriteLine(build.ToString());

        Assert.NotEqual(0, build.ExitCode);
        // The analyzer shipped in analyzers/dotnet/cs reports it, at the handler: BadHandler.cs(8,17).
        Assert.Matches(@"BadHandler\.cs\(8,\d+\): error KONG0001", build.Output);
    }

    [Fact]
    public async Task Template_InstalledFromTheFolder_CreatesAPluginThatBuildsAgainstTheLocalPackage()
    {
        // A private CLI home: the template is installed there, never into the machine's template list.
        var cliHome = new Dictionary<string, string?> { ["DOTNET_CLI_HOME"] = Path.Combine(package.WorkDirectory, "cli-home") };
        string template = RepoPaths.Combine("templates", "kongplugin");
        string directory = Path.Combine(package.WorkDirectory, "Demo");

        ProcessResult install = await ProcessRunner.RunDotnetAsync(
            package.WorkDirectory, ["new", "install", template], TimeSpan.FromMinutes(2), cliHome);
        output.WriteLine(install.ToString());
        Assert.True(install.ExitCode == 0, install.ToString());

        ProcessResult create = await ProcessRunner.RunDotnetAsync(
            package.WorkDirectory, ["new", "kongplugin", "-n", "Demo", "-o", directory, "--PdkVersion", package.Version],
            TimeSpan.FromMinutes(2), cliHome);
        output.WriteLine(create.ToString());
        Assert.True(create.ExitCode == 0, create.ToString());
        Assert.Contains($"""<PackageReference Include="Kong.Pdk" Version="{package.Version}" />""", File.ReadAllText(Path.Combine(directory, "Demo.csproj")));
        Assert.Contains("""[KongPlugin("demo", """, File.ReadAllText(Path.Combine(directory, "Program.cs")));

        ProcessResult build = await package.BuildAsync(directory);
        output.WriteLine(build.ToString());
        Assert.True(build.ExitCode == 0, $"the template's project did not build:\n{build}");
        Assert.DoesNotContain("warning KONG", build.Output, StringComparison.Ordinal);

        ProcessResult dump = await PackageFixture.DumpAsync(Path.Combine(directory, "bin", "Release", "net10.0", "Demo.dll"));
        Assert.True(dump.ExitCode == 0, dump.ToString());
        KongDumpInfo info = KongSchemaValidator.ValidateDump(dump.Output, ["access"]);
        Assert.Equal("demo", info.Name);
        Assert.Equal(["header_name", "greeting"], ConfigFields(info).Keys);
    }

    private static Dictionary<string, JsonElement> ConfigFields(KongDumpInfo info) =>
        info.ConfigFields.EnumerateArray().Select(f => f.EnumerateObject().Single()).ToDictionary(p => p.Name, p => p.Value);
}
