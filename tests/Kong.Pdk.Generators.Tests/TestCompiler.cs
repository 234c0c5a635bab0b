using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.CompilerServices;
using Basic.Reference.Assemblies;
using Kong.Pdk.Hosting;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Kong.Pdk.Generators.Tests;

/// <summary>Builds in-memory compilations against the net8.0 reference assemblies and Kong.Pdk, runs the
/// generator on them and, for binder tests, loads the result. (The tests may reflect; the product may not.)</summary>
public static class TestCompiler
{
    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Collections.Immutable;
        using System.Threading;
        using System.Threading.Tasks;
        using Kong.Pdk;

        """;

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    public static readonly ImmutableArray<MetadataReference> References = Net80.References.All
        .Cast<MetadataReference>()
        .Append(MetadataReference.CreateFromFile(typeof(KongPluginDescriptor).Assembly.Location))
        .Append(Net80Build(typeof(Microsoft.Extensions.DependencyInjection.IServiceCollection).Assembly.Location))
        .Append(Net80Build(typeof(Microsoft.Extensions.Logging.ILogger).Assembly.Location))
        .ToImmutableArray();

    private static int s_counter;

    /// <summary>The net8.0 build of a package assembly the test process loaded (its net10.0 build refers to a newer
    /// System.Runtime than the net8.0 reference assemblies: CS1705).</summary>
    private static MetadataReference Net80Build(string location)
    {
        AssemblyName name = AssemblyName.GetAssemblyName(location);
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string net80 = Path.Combine(packages, name.Name!.ToLowerInvariant(), name.Version!.ToString(3), "lib", "net8.0", name.Name + ".dll");
        return MetadataReference.CreateFromFile(File.Exists(net80) ? net80 : location);
    }

    public static CSharpCompilation Create(string source, OutputKind kind = OutputKind.DynamicallyLinkedLibrary, string? assemblyName = null)
        => Create(new[] { source }, kind, assemblyName);

    public static CSharpCompilation Create(IEnumerable<string> sources, OutputKind kind = OutputKind.DynamicallyLinkedLibrary, string? assemblyName = null)
    {
        int i = 0;
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i++}.cs")).ToArray();
        return CSharpCompilation.Create(
            assemblyName ?? "Plugins" + Interlocked.Increment(ref s_counter),
            trees,
            References,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable, deterministic: true));
    }

    public static GeneratorDriver CreateDriver() => CSharpGeneratorDriver.Create(
        new[] { new PluginGenerator().AsSourceGenerator() },
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public sealed record Result(Compilation Output, GeneratorDriverRunResult Run, GeneratorDriver Driver)
    {
        /// <summary>Generated files by hint name without the ".g.cs" suffix.</summary>
        public IReadOnlyDictionary<string, string> Files => Run.Results.Single().GeneratedSources
            .ToDictionary(s => s.HintName.Replace(".g.cs", string.Empty), s => s.SourceText.ToString());

        public string File(string hintNamePrefix) => Files.Single(f => f.Key.StartsWith(hintNamePrefix, StringComparison.Ordinal)).Value;
    }

    public static Result Run(CSharpCompilation compilation)
    {
        GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        Assert.Empty(diagnostics);
        return new Result(output, driver.GetRunResult(), driver);
    }

    public static Result RunClean(string source, OutputKind kind = OutputKind.DynamicallyLinkedLibrary)
    {
        Result result = Run(Create(source, kind));
        AssertCompilesCleanly(result.Output);
        return result;
    }

    /// <summary>No diagnostic of warning severity or above anywhere, and no syntax error in generated trees.</summary>
    public static void AssertCompilesCleanly(Compilation output)
    {
        var problems = output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => d.ToString())
            .ToArray();
        Assert.True(problems.Length == 0, "Diagnostics:\n" + string.Join("\n", problems));
        foreach (SyntaxTree tree in output.SyntaxTrees)
        {
            Assert.DoesNotContain(tree.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
        }
    }

    public static Assembly Load(Compilation output)
    {
        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        return Assembly.Load(stream.ToArray());
    }

    /// <summary>Compiles <paramref name="source"/>, loads it, and returns the generated descriptor of <paramref name="typeName"/>.</summary>
    public static KongPluginDescriptor Descriptor(string source, string typeName)
    {
        Result result = RunClean(source);
        Assembly assembly = Load(result.Output);
        Type type = assembly.GetType(typeName, throwOnError: true)!;
        return (KongPluginDescriptor)type.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
    }
}
