using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Xunit;

namespace Kong.Pdk.PackageTests;

/// <summary>
/// Packs Kong.Pdk, Kong.Pdk.Testing, Kong.Pdk.Templates, Kong.Pdk.OpenTelemetry and Kong.Pdk.Extensions.Hosting once per test class with the documented command
/// (<c>./build.sh pack</c>), under a version that exists nowhere else, into a private feed, and installs the packed
/// templates into a private template hive. Every consumer command runs offline and away from the user's machine
/// state: a temporary <c>DOTNET_CLI_HOME</c>, <c>NUGET_PACKAGES</c> and NuGet HTTP cache, and an unreachable HTTP
/// proxy, so a restore that needs the network fails (a test checks that). The machine's package cache is
/// a read-only fallback folder, which holds what the solution's own restore brought (MessagePack, xunit, …).
/// </summary>
public sealed class PackageFixture : IAsyncLifetime
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(5);

    /// <summary>e.g. <c>0.1.0-pkgtest.20261126232100.g1a2b3c4d</c>: VersionPrefix of Directory.Build.props plus a
    /// unique suffix, so no cached copy can be picked up.</summary>
    public string Version { get; } =
        $"{VersionPrefix()}-pkgtest.{DateTime.UtcNow:yyyyMMddHHmmss}.g{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    /// <summary>A temp directory for this class: feed, caches, template hive and the projects.</summary>
    public string WorkDirectory { get; } = Path.Combine(Path.GetTempPath(), "kong-pdk-pkgtest-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>The private feed <c>build.sh pack --output</c> fills.</summary>
    public string Feed => Path.Combine(WorkDirectory, "feed");

    /// <summary>Where hand-written consumer projects live: a nuget.config there adds <see cref="Feed"/>.</summary>
    public string ProjectsDirectory => Path.Combine(WorkDirectory, "projects");

    /// <summary>Where template-made projects live: no nuget.config adds the feed there; the template's own does.</summary>
    public string TemplateOutputDirectory => Path.Combine(WorkDirectory, "from-template");

    public string TemplateHive => Path.Combine(WorkDirectory, "template-hive");

    public string PackagePath => PackageFile("Kong.Pdk");

    public string PackageFile(string id) => Path.Combine(Feed, $"{id}.{Version}.nupkg");

    /// <summary>The environment of every consumer command: private caches and no network.</summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["DOTNET_CLI_HOME"] = Path.Combine(WorkDirectory, "cli-home"),
        ["NUGET_PACKAGES"] = Path.Combine(WorkDirectory, ".packages"),
        ["NUGET_HTTP_CACHE_PATH"] = Path.Combine(WorkDirectory, "http-cache"),
        ["HTTP_PROXY"] = UnreachableProxy,
        ["HTTPS_PROXY"] = UnreachableProxy,
        ["http_proxy"] = UnreachableProxy,
        ["https_proxy"] = UnreachableProxy,
        ["ALL_PROXY"] = UnreachableProxy,
        ["NO_PROXY"] = "",
        ["no_proxy"] = "",
    };

    // The discard port on the loopback interface: every connection is refused at once.
    private const string UnreachableProxy = "http://127.0.0.1:9";

    public ProcessResult? Pack { get; private set; }

    public async Task InitializeAsync()
    {
        RemoveLeftovers();
        Directory.CreateDirectory(ProjectsDirectory);
        Directory.CreateDirectory(TemplateOutputDirectory);
        WriteNuGetConfigs();

        // The solution build already compiled the packable projects in this configuration (project references of
        // this test project make sure), so pack those outputs without rebuilding: a rebuild here would rewrite bin/
        // and obj/ of projects other test assemblies are using. Without those outputs (a test run from a clean
        // tree), build and pack in one go.
        string configuration = RepoPaths.Configuration;
        bool built = File.Exists(RepoPaths.Combine("src", "Kong.Pdk", "bin", configuration, "net10.0", "Kong.Pdk.dll"))
                     && File.Exists(RepoPaths.Combine("src", "Kong.Pdk", "bin", configuration, "net8.0", "Kong.Pdk.dll"))
                     && File.Exists(RepoPaths.Combine("src", "Kong.Pdk.Testing", "bin", configuration, "net10.0", "Kong.Pdk.Testing.dll"))
                     && File.Exists(RepoPaths.Combine("src", "Kong.Pdk.Testing", "bin", configuration, "net8.0", "Kong.Pdk.Testing.dll"))
                     && File.Exists(RepoPaths.Combine("src", "Kong.Pdk.OpenTelemetry", "bin", configuration, "net10.0", "Kong.Pdk.OpenTelemetry.dll"))
                     && File.Exists(RepoPaths.Combine("src", "Kong.Pdk.OpenTelemetry", "bin", configuration, "net8.0", "Kong.Pdk.OpenTelemetry.dll"))
                     && File.Exists(RepoPaths.Combine("src", "Kong.Pdk.Extensions.Hosting", "bin", configuration, "net10.0", "Kong.Pdk.Extensions.Hosting.dll"))
                     && File.Exists(RepoPaths.Combine("src", "Kong.Pdk.Extensions.Hosting", "bin", configuration, "net8.0", "Kong.Pdk.Extensions.Hosting.dll"))
                     && File.Exists(RepoPaths.Combine("src", "Kong.Pdk.Generators", "bin", configuration, "netstandard2.0", "Kong.Pdk.Generators.dll"))
                     && File.Exists(RepoPaths.Combine("src", "Kong.Pdk.CodeFixes", "bin", configuration, "netstandard2.0", "Kong.Pdk.CodeFixes.dll"))
                     && File.Exists(RepoPaths.Combine("templates", "obj", "project.assets.json"));
        List<string> arguments =
        [
            RepoPaths.Combine("build.sh"), "pack", "--version", Version, "--output", Feed, "--configuration", configuration,
            "--", "-nodeReuse:false", "-p:UseSharedCompilation=false",
        ];
        if (built)
        {
            arguments.AddRange(["--no-build", "--no-restore"]);
        }

        Pack = await ProcessRunner.RunAsync("bash", RepoPaths.Root, arguments, PackTimeout);
        foreach (string id in (string[])["Kong.Pdk", "Kong.Pdk.Testing", "Kong.Pdk.Templates", "Kong.Pdk.OpenTelemetry", "Kong.Pdk.Extensions.Hosting"])
        {
            if (Pack.ExitCode != 0 || !File.Exists(PackageFile(id)))
            {
                throw new InvalidOperationException($"build.sh pack did not produce {PackageFile(id)}:\n{Pack}");
            }
        }

        ProcessResult install = await DotnetAsync(WorkDirectory, ["new", "install", PackageFile("Kong.Pdk.Templates"), "--debug:custom-hive", TemplateHive]);
        if (install.ExitCode != 0)
        {
            throw new InvalidOperationException($"the packed templates did not install:\n{install}");
        }
    }

    public Task DisposeAsync()
    {
        // The feed, the caches, the hive and the projects exist only for this run.
        TryDelete(() => Directory.Delete(WorkDirectory, recursive: true));
        return Task.CompletedTask;
    }

    /// <summary>Runs a dotnet command offline with this fixture's private caches.</summary>
    public Task<ProcessResult> DotnetAsync(string workingDirectory, IEnumerable<string> arguments, TimeSpan? timeout = null) =>
        ProcessRunner.RunDotnetAsync(workingDirectory, arguments, timeout ?? TimeSpan.FromMinutes(4), Environment);

    /// <summary><c>dotnet new kongplugin -n NAME ...</c> from the packed templates, in <see cref="TemplateOutputDirectory"/>.</summary>
    public Task<ProcessResult> NewPluginAsync(string name, params string[] options) =>
        DotnetAsync(TemplateOutputDirectory, ["new", "kongplugin", "-n", name, .. options, "--debug:custom-hive", TemplateHive, "--no-update-check"]);

    /// <summary>A new empty project directory below the nuget.config that adds the feed.</summary>
    public string NewProjectDirectory(string name)
    {
        string directory = Path.Combine(ProjectsDirectory, name);
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>Restores (offline) and builds a consumer project in Release.</summary>
    public Task<ProcessResult> BuildAsync(string projectDirectory) =>
        DotnetAsync(projectDirectory, ["build", "-c", "Release", "-nodeReuse:false", "-p:UseSharedCompilation=false"]);

    /// <summary>Runs <c>dotnet &lt;dll&gt; -dump</c>.</summary>
    public static Task<ProcessResult> DumpAsync(string dll, params string[] extraArgs) =>
        ProcessRunner.RunDotnetAsync(Path.GetDirectoryName(dll)!, [dll, "-dump", .. extraArgs], TimeSpan.FromSeconds(60));

    /// <summary>A plugin project file that references Kong.Pdk at exactly this run's version.</summary>
    public string ProjectFile(string extraProperties = "") => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
            <InvariantGlobalization>true</InvariantGlobalization>
            {extraProperties}
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Kong.Pdk" Version="[{Version}]" />
          </ItemGroup>
        </Project>
        """;

    private static string VersionPrefix()
    {
        string props = File.ReadAllText(RepoPaths.Combine("Directory.Build.props"));
        return Regex.Match(props, "<VersionPrefix>([^<]+)</VersionPrefix>") is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException("Directory.Build.props has no VersionPrefix");
    }

    private void WriteNuGetConfigs()
    {
        // No <clear/> and no public feed: the machine's configuration supplies its source (STYLE.md §7), which the
        // proxy makes unreachable. The machine's package cache is a fallback folder: packages found there at the
        // exact version are used as they are, so MessagePack and friends need no download.
        string? machineCache = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
            ? packages
            : Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string fallback = Directory.Exists(machineCache)
            ? $"""
                <fallbackPackageFolders>
                  <add key="machine-cache" value="{machineCache}" />
                </fallbackPackageFolders>
              """
            : "";
        File.WriteAllText(Path.Combine(WorkDirectory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
            {fallback}
            </configuration>
            """);
        File.WriteAllText(Path.Combine(ProjectsDirectory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="kong-pdk-local" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        // Keep the repository's Directory.Build.* and global.json from applying, should the temp folder ever sit
        // below a checkout.
        File.WriteAllText(Path.Combine(WorkDirectory, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(WorkDirectory, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(WorkDirectory, "Directory.Packages.props"), "<Project />\n");
    }

    /// <summary>What a killed test run could not clean up, after a day.</summary>
    private static void RemoveLeftovers()
    {
        DateTime cutoff = DateTime.UtcNow.AddDays(-1);
        foreach (string stale in Directory.EnumerateDirectories(Path.GetTempPath(), "kong-pdk-pkgtest-*").Where(d => Directory.GetLastWriteTimeUtc(d) < cutoff))
        {
            TryDelete(() => Directory.Delete(stale, recursive: true));
        }
    }

    private static void TryDelete(Action delete)
    {
        try
        {
            delete();
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
