using System.Reflection;

namespace Kong.Pdk.PackageTests;

/// <summary>The repository root and build configuration, baked in at build time (see the project file).</summary>
internal static class RepoPaths
{
    public static string Root { get; } = Metadata("RepoRoot");

    /// <summary>Release under <c>.ci/run</c>; the configuration the src and samples outputs were built in.</summary>
    public static string Configuration { get; } = Metadata("BuildConfiguration");

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The main assembly of a sample executable, e.g. <c>samples/HelloPlugin/bin/Release/net10.0/HelloPlugin.dll</c>;
    /// <paramref name="name"/> may be a path under samples/, such as <c>PluginLibraries/PluginHost</c>.</summary>
    public static string SampleDll(string name) => Combine("samples", name, "bin", Configuration, "net10.0", Path.GetFileName(name) + ".dll");

    private static string Metadata(string key) =>
        typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"assembly metadata '{key}' is missing; see Kong.Pdk.PackageTests.csproj");
}
