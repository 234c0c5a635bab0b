using System.IO.Compression;
using System.Text.Json;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace Kong.Pdk.PackageTests;

/// <summary>
/// The packaging promise of issues 3 and 11: the Kong.Pdk nupkg alone, restored from a local feed into a fresh
/// project, gives a working plugin (the generator runs from <c>analyzers/dotnet/cs</c>) and KONG diagnostics (the
/// analyzers run too); and the packed <c>dotnet new kongplugin</c> template creates a plugin (and its tests) that
/// build and pass offline. One pack (<c>build.sh pack</c>) serves the whole collection.
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed class PackageTests(PackageFixture package, ITestOutputHelper output)
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
    public async Task SingleWordProject_NamedLikeItsPluginButForCase_GetsThePluginNamedExecutable_AndNoOpBuildsDoNotRunThePlugin()
    {
        // Issue 10 bug 7: MSBuild compares strings without case, so 'Hello' vs 'hello' used to skip the copy.
        string directory = package.NewProjectDirectory("Hello");
        File.WriteAllText(Path.Combine(directory, "Hello.csproj"), package.ProjectFile());
        File.WriteAllText(Path.Combine(directory, "Hello.cs"), """
            using Kong.Pdk;

            namespace Hello;

            [KongPlugin("hello", Version = "1.0.0")]
            public sealed partial class HelloPlugin
            {
                public ValueTask Access(IKong kong) => default;
            }
            """);

        ProcessResult build = await package.BuildAsync(directory);
        output.WriteLine(build.ToString());
        Assert.True(build.ExitCode == 0, build.ToString());
        string outputFolder = Path.Combine(directory, "bin", "Release", "net10.0");
        Assert.Contains("hello", Directory.GetFiles(outputFolder).Select(Path.GetFileName));
        Assert.Contains("Hello", Directory.GetFiles(outputFolder).Select(Path.GetFileName));
        Assert.Contains("pluginserver_hello_query_cmd = /usr/local/bin/hello -dump", File.ReadAllText(Path.Combine(outputFolder, "kong.conf.snippet")));

        // A second build with nothing changed does not run the plugin again (Inputs/Outputs), and keeps its outputs.
        ProcessResult again = await package.DotnetAsync(directory,
            ["build", "-c", "Release", "-nodeReuse:false", "-p:UseSharedCompilation=false", "-v:n"]);
        output.WriteLine(again.ToString());
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("Skipping target \"KongPdkWritePluginFiles\" because all output files are up-to-date", again.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(outputFolder, "hello")));
    }

    [Fact]
    public async Task LuaSchemaTurnedBackOn_OrDeleted_WithoutACodeChange_IsGeneratedAgain_AndPublished()
    {
        // Issue 10: the schema.lua files were not part of the incremental check, so turning KongPdkGenerateLuaSchema
        // back on (or deleting the file) left none, and the publish copy failed on the missing file.
        string directory = package.NewProjectDirectory("SchemaToggle");
        File.WriteAllText(Path.Combine(directory, "SchemaToggle.csproj"), package.ProjectFile());
        File.WriteAllText(Path.Combine(directory, "SchemaToggle.cs"), """
            using Kong.Pdk;

            namespace SchemaToggle;

            [KongPlugin("schema-toggle", Version = "1.0.0")]
            public sealed partial class SchemaTogglePlugin
            {
                public ValueTask Access(IKong kong) => default;
            }
            """);
        string outputFolder = Path.Combine(directory, "bin", "Release", "net10.0");
        string schema = Path.Combine(outputFolder, "schema-toggle.schema.lua");

        ProcessResult off = await BuildAsync(directory, "-p:KongPdkGenerateLuaSchema=false", "-p:KongPdkInstallDir=/opt/a");
        Assert.True(off.ExitCode == 0, off.ToString());
        Assert.False(File.Exists(schema), "no schema.lua while KongPdkGenerateLuaSchema is false");
        Assert.Contains("/opt/a/schema-toggle -dump", File.ReadAllText(Path.Combine(outputFolder, "kong.conf.snippet")), StringComparison.Ordinal);

        // The property back on, and another install folder: both reach the generated files with no code change.
        ProcessResult on = await BuildAsync(directory, "-p:KongPdkInstallDir=/opt/b");
        Assert.True(on.ExitCode == 0, on.ToString());
        Assert.True(File.Exists(schema), "schema.lua once KongPdkGenerateLuaSchema is true again:\n" + on);
        Assert.Contains("/opt/b/schema-toggle -dump", File.ReadAllText(Path.Combine(outputFolder, "kong.conf.snippet")), StringComparison.Ordinal);

        // Same properties, nothing changed: the plugin does not run.
        ProcessResult noOp = await BuildAsync(directory, "-p:KongPdkInstallDir=/opt/b");
        Assert.True(noOp.ExitCode == 0, noOp.ToString());
        Assert.Contains("Skipping target \"KongPdkWritePluginFiles\" because all output files are up-to-date", noOp.Output, StringComparison.Ordinal);

        // A deleted schema.lua is generated again, and the publish folder gets it.
        File.Delete(schema);
        ProcessResult publish = await package.DotnetAsync(directory,
            ["publish", "-c", "Release", "-nodeReuse:false", "-p:UseSharedCompilation=false", "-p:KongPdkInstallDir=/opt/b", "-v:n"]);
        output.WriteLine(publish.ToString());
        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.True(File.Exists(schema), "schema.lua generated again after it was deleted");
        string publishFolder = Path.Combine(outputFolder, "publish");
        string published = File.ReadAllText(Path.Combine(publishFolder, "schema-toggle.schema.lua"));
        Assert.StartsWith("-- schema.lua of the Kong plugin schema-toggle 1.0.0", published, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(schema), published);
        Assert.True(File.Exists(Path.Combine(publishFolder, "kong.conf.snippet")));
        Assert.True(File.Exists(Path.Combine(publishFolder, "schema-toggle")));
    }

    private async Task<ProcessResult> BuildAsync(string directory, params string[] properties)
    {
        ProcessResult result = await package.DotnetAsync(directory,
            ["build", "-c", "Release", "-nodeReuse:false", "-p:UseSharedCompilation=false", "-v:n", .. properties]);
        output.WriteLine(result.ToString());
        return result;
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
    public async Task Template_FromThePackedTemplates_BuildsOfflineAgainstTheLocalFeed_AndPinsThePackedVersion()
    {
        // As docs/getting-started.md: dotnet new kongplugin -n Demo --local-feed <feed>; cd Demo; dotnet build.
        ProcessResult create = await package.NewPluginAsync("Demo", "--local-feed", package.Feed);
        output.WriteLine(create.ToString());
        Assert.True(create.ExitCode == 0, create.ToString());
        string directory = Path.Combine(package.TemplateOutputDirectory, "Demo");
        Assert.Contains($"""<PackageReference Include="Kong.Pdk" Version="{package.Version}" />""", File.ReadAllText(Path.Combine(directory, "Demo.csproj")));
        Assert.Contains("""[KongPlugin("demo", """, File.ReadAllText(Path.Combine(directory, "Program.cs")));
        Assert.Contains($"""<add key="kong-pdk-local" value="{package.Feed}" />""", File.ReadAllText(Path.Combine(directory, "nuget.config")));
        Assert.False(Directory.Exists(Path.Combine(directory, "Demo.Tests")), "no test project without --tests");

        ProcessResult build = await package.DotnetAsync(directory, ["build", "-nodeReuse:false", "-p:UseSharedCompilation=false"]);
        output.WriteLine(build.ToString());
        Assert.True(build.ExitCode == 0, $"the template's project did not build:\n{build}");
        Assert.DoesNotContain("warning KONG", build.Output, StringComparison.Ordinal);

        ProcessResult dump = await PackageFixture.DumpAsync(Path.Combine(directory, "bin", "Debug", "net10.0", "Demo.dll"));
        Assert.True(dump.ExitCode == 0, dump.ToString());
        KongDumpInfo info = KongSchemaValidator.ValidateDump(dump.Output, ["access"]);
        Assert.Equal("demo", info.Name);
        Assert.Equal(["header_name", "greeting"], ConfigFields(info).Keys);
    }

    [Fact]
    public async Task Template_WithTests_CreatesASolutionWhosePluginTestsPassOffline()
    {
        ProcessResult create = await package.NewPluginAsync("Greeter", "--tests", "--local-feed", package.Feed, "--plugin-name", "greeter-plugin");
        output.WriteLine(create.ToString());
        Assert.True(create.ExitCode == 0, create.ToString());
        string directory = Path.Combine(package.TemplateOutputDirectory, "Greeter");
        Assert.True(File.Exists(Path.Combine(directory, "Greeter.sln")));
        Assert.True(File.Exists(Path.Combine(directory, "nuget.config")));
        string testProject = File.ReadAllText(Path.Combine(directory, "Greeter.Tests", "Greeter.Tests.csproj"));
        Assert.Contains($"""<PackageReference Include="Kong.Pdk.Testing" Version="{package.Version}" />""", testProject);
        Assert.Contains("""<ProjectReference Include="..\Greeter\Greeter.csproj" />""", testProject);

        // cd Greeter; dotnet build (the solution); dotnet test.
        ProcessResult build = await package.DotnetAsync(directory, ["build", "-nodeReuse:false", "-p:UseSharedCompilation=false"]);
        output.WriteLine(build.ToString());
        Assert.True(build.ExitCode == 0, $"the template's solution did not build:\n{build}");
        Assert.DoesNotContain("warning KONG", build.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(directory, "Greeter", "bin", "Debug", "net10.0", "greeter-plugin")), "the plugin executable, named after the plugin (--plugin-name)");

        ProcessResult test = await package.DotnetAsync(directory, ["test", "--no-build"]);
        output.WriteLine(test.ToString());
        Assert.True(test.ExitCode == 0, $"the template's tests did not pass:\n{test}");
        Assert.Matches(@"Passed! +- Failed: +0, Passed: +2,", test.Output);
    }

    [Fact]
    public async Task Offline_ARestoreThatNeedsTheNetwork_FailsWithNU1301()
    {
        // The control for every test above: their environment really has no network.
        string directory = package.NewProjectDirectory("NeedsNetwork");
        File.WriteAllText(Path.Combine(directory, "NeedsNetwork.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
              <ItemGroup><PackageReference Include="Kong.Pdk.NoSuchPackage" Version="1.0.0" /></ItemGroup>
            </Project>
            """);

        ProcessResult restore = await package.DotnetAsync(directory, ["restore"]);
        output.WriteLine(restore.ToString());

        Assert.NotEqual(0, restore.ExitCode);
        Assert.Contains("NU1301", restore.Output, StringComparison.Ordinal);
    }

    private static Dictionary<string, JsonElement> ConfigFields(KongDumpInfo info) =>
        info.ConfigFields.EnumerateArray().Select(f => f.EnumerateObject().Single()).ToDictionary(p => p.Name, p => p.Value);
}
