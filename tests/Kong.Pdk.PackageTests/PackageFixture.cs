using System.Security.Cryptography;
using Xunit;

namespace Kong.Pdk.PackageTests;

/// <summary>
/// Packs Kong.Pdk once per test class, under a version that exists nowhere else, into
/// <c>artifacts/packages</c>, and gives each consumer project a temp directory whose nuget.config adds that folder
/// as a source (the machine's own sources are inherited), a private <c>globalPackagesFolder</c>, and the
/// machine's package cache as a read-only fallback folder, so a restore needs no network.
/// </summary>
public sealed class PackageFixture : IAsyncLifetime
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(5);

    /// <summary>e.g. <c>0.1.0-pkgtest.20261126232100.g1a2b3c4d</c>; unique, so no cached copy can be picked up.</summary>
    public string Version { get; } =
        $"0.1.0-pkgtest.{DateTime.UtcNow:yyyyMMddHHmmss}.g{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    public string Feed { get; } = RepoPaths.Combine("artifacts", "packages");

    /// <summary>A temp directory for this class: nuget.config, the private package folder and the projects.</summary>
    public string WorkDirectory { get; } = Path.Combine(Path.GetTempPath(), "kong-pdk-pkgtest-" + Guid.NewGuid().ToString("N")[..12]);

    public string PackagePath => Path.Combine(Feed, $"Kong.Pdk.{Version}.nupkg");

    public ProcessResult? Pack { get; private set; }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        RemoveLeftovers();
        Directory.CreateDirectory(WorkDirectory);
        WriteNuGetConfig();

        // The solution build already compiled src/Kong.Pdk (and its generator and code fixes) in this configuration
        // (a project reference of this test project makes sure), so pack those outputs without rebuilding. A
        // rebuild here would rewrite bin/ and obj/ of a project other test assemblies are using. Without those
        // outputs (a test run from a clean tree), build and pack in one go.
        string configuration = RepoPaths.Configuration;
        bool built = File.Exists(RepoPaths.Combine("src", "Kong.Pdk", "bin", configuration, "net10.0", "Kong.Pdk.dll"))
                     && File.Exists(RepoPaths.Combine("src", "Kong.Pdk", "bin", configuration, "net8.0", "Kong.Pdk.dll"))
                     && File.Exists(RepoPaths.Combine("src", "Kong.Pdk.Generators", "bin", configuration, "netstandard2.0", "Kong.Pdk.Generators.dll"))
                     && File.Exists(RepoPaths.Combine("src", "Kong.Pdk.CodeFixes", "bin", configuration, "netstandard2.0", "Kong.Pdk.CodeFixes.dll"));
        List<string> arguments =
        [
            "pack", RepoPaths.Combine("src", "Kong.Pdk", "Kong.Pdk.csproj"), "-c", configuration, "-o", Feed,
            $"-p:Version={Version}", "-nodeReuse:false", "-p:UseSharedCompilation=false",
        ];
        if (built)
        {
            arguments.AddRange(["--no-build", "--no-restore"]);
        }

        Pack = await ProcessRunner.RunDotnetAsync(RepoPaths.Root, arguments, PackTimeout);
        if (Pack.ExitCode != 0 || !File.Exists(PackagePath))
        {
            throw new InvalidOperationException($"dotnet pack did not produce {PackagePath}:\n{Pack}");
        }
    }

    public Task DisposeAsync()
    {
        // This version exists only for this run: remove it from the shared feed, and the temp tree with its
        // private package folder.
        TryDelete(() => File.Delete(PackagePath));
        TryDelete(() => Directory.Delete(WorkDirectory, recursive: true));
        return Task.CompletedTask;
    }

    /// <summary>A new empty project directory under <see cref="WorkDirectory"/> (which holds the nuget.config).</summary>
    public string NewProjectDirectory(string name)
    {
        string directory = Path.Combine(WorkDirectory, name);
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>Restores (offline-capable) and builds a consumer project in Release.</summary>
    public Task<ProcessResult> BuildAsync(string projectDirectory, IReadOnlyDictionary<string, string?>? environment = null) =>
        ProcessRunner.RunDotnetAsync(
            projectDirectory,
            [
                "build", "-c", "Release", "-nodeReuse:false", "-p:UseSharedCompilation=false",
                // The machine's inherited feed may be unreachable in CI; everything needed is in the local feed
                // and the fallback folder, so a failing remote source must not fail the restore.
                "-p:RestoreIgnoreFailedSources=true",
            ],
            TimeSpan.FromMinutes(4),
            environment);

    /// <summary>Runs <c>dotnet &lt;dll&gt; -dump</c>.</summary>
    public static Task<ProcessResult> DumpAsync(string dll) =>
        ProcessRunner.RunDotnetAsync(Path.GetDirectoryName(dll)!, [dll, "-dump"], TimeSpan.FromSeconds(60));

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

    private void WriteNuGetConfig()
    {
        // No <clear/> and no public feed: the machine's configuration supplies its source (STYLE.md §7). The
        // machine's package cache is a fallback folder: packages found there at the exact version are used as they
        // are, so MessagePack and friends need no download; Kong.Pdk itself comes only from the local feed.
        string? machineCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
            ? packages
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
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
              <packageSources>
                <add key="kong-pdk-local" value="{Feed}" />
              </packageSources>
              <config>
                <add key="globalPackagesFolder" value=".packages" />
              </config>
            {fallback}
            </configuration>
            """);
        // Keep the repository's Directory.Build.* and global.json from applying, should the temp folder ever sit
        // below a checkout.
        File.WriteAllText(Path.Combine(WorkDirectory, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(WorkDirectory, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(WorkDirectory, "Directory.Packages.props"), "<Project />\n");
    }

    /// <summary>What a killed test run could not clean up: its package and temp tree, after a day.</summary>
    private void RemoveLeftovers()
    {
        DateTime cutoff = DateTime.UtcNow.AddDays(-1);
        foreach (string stale in Directory.EnumerateFiles(Feed, "Kong.Pdk.*-pkgtest.*.nupkg").Where(f => File.GetLastWriteTimeUtc(f) < cutoff))
        {
            TryDelete(() => File.Delete(stale));
        }

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
