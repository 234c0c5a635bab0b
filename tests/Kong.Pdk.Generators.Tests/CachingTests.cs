using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Kong.Pdk.Generators.Tests;

/// <summary>Incremental caching: a second run on a clone is all Cached/Unchanged, unrelated edits stay cached, an
/// attribute edit is Modified, and no step output holds a Roslyn object (STYLE.md §5).</summary>
public class CachingTests
{
    private static readonly string[] AllTrackingNames = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    private static readonly string[] Sources =
    {
        TestCompiler.Usings + Plugins.WorkedExample,
        TestCompiler.Usings + Plugins.Hello,
        "namespace Unrelated { public static class Helper { public static int Twice(int x) => x * 2; } }",
    };

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun()
    {
        CSharpCompilation compilation = TestCompiler.Create(Sources, OutputKind.ConsoleApplication);
        GeneratorDriver driver = TestCompiler.CreateDriver().RunGenerators(compilation);
        return (driver, compilation);
    }

    private static Dictionary<string, ImmutableArrayOfSteps> Steps(GeneratorDriver driver)
        => driver.GetRunResult().Results.Single().TrackedSteps
            .Where(s => AllTrackingNames.Contains(s.Key))
            .ToDictionary(s => s.Key, s => new ImmutableArrayOfSteps(s.Value));

    public sealed record ImmutableArrayOfSteps(System.Collections.Immutable.ImmutableArray<IncrementalGeneratorRunStep> Steps)
    {
        public IEnumerable<IncrementalStepRunReason> Reasons => Steps.SelectMany(s => s.Outputs).Select(o => o.Reason);
    }

    [Fact]
    public void Caching_EveryTrackingName_IsRecordedByAFullRun()
    {
        var (driver, _) = FirstRun();
        Assert.Equal(AllTrackingNames.OrderBy(n => n, StringComparer.Ordinal), Steps(driver).Keys.OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void Caching_RunOnClonedCompilation_IsAllCachedOrUnchanged()
    {
        var (driver, compilation) = FirstRun();
        driver = driver.RunGenerators(compilation.Clone());
        foreach ((string name, ImmutableArrayOfSteps steps) in Steps(driver))
        {
            Assert.All(steps.Reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, name + " was " + r));
        }
    }

    [Fact]
    public void Caching_UnrelatedFileEdit_KeepsEverythingCached()
    {
        var (driver, compilation) = FirstRun();
        SyntaxTree old = compilation.SyntaxTrees.Last();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(
            "namespace Unrelated { public static class Helper { public static int Thrice(int x) => x * 3; } }", TestCompiler.ParseOptions, old.FilePath));
        driver = driver.RunGenerators(edited);
        foreach ((string name, ImmutableArrayOfSteps steps) in Steps(driver))
        {
            Assert.All(steps.Reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, name + " was " + r));
        }
    }

    [Fact]
    public void Caching_HandlerBodyEdit_KeepsSpecsUnchanged()
    {
        var (driver, compilation) = FirstRun();
        SyntaxTree old = compilation.SyntaxTrees.First();
        string text = old.ToString().Replace("public Task Log(IKong kong) => Task.CompletedTask;", "public Task Log(IKong kong) { return Task.Delay(1); }", StringComparison.Ordinal);
        Assert.NotEqual(old.ToString(), text);
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(text, TestCompiler.ParseOptions, old.FilePath)));
        var steps = Steps(driver);
        Assert.All(steps[TrackingNames.Parse].Reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, "Parse was " + r));
        Assert.All(steps[TrackingNames.Specs].Reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, "Specs was " + r));
        Assert.All(steps[TrackingNames.EntryPoint].Reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, "EntryPoint was " + r));
    }

    [Fact]
    public void Caching_ConfigAttributeEdit_MarksThePluginModified()
    {
        var (driver, compilation) = FirstRun();
        SyntaxTree old = compilation.SyntaxTrees.First();
        string text = old.ToString().Replace("[KongBetween(0, 100)]", "[KongBetween(0, 50)]", StringComparison.Ordinal);
        Assert.NotEqual(old.ToString(), text);
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(text, TestCompiler.ParseOptions, old.FilePath)));
        var steps = Steps(driver);
        Assert.Contains(IncrementalStepRunReason.Modified, steps[TrackingNames.Parse].Reasons);
        Assert.Contains(IncrementalStepRunReason.Modified, steps[TrackingNames.Specs].Reasons);
        // The entry point only needs names, which did not change.
        Assert.All(steps[TrackingNames.EntryPlugins].Reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, "EntryPlugins was " + r));
        string generated = driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName.StartsWith("Samples.Worked", StringComparison.Ordinal)).SourceText.ToString();
        Assert.Contains("\\\"between\\\":[0,50]", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void Caching_PluginAttributeEdit_MarksThePluginModified()
    {
        var (driver, compilation) = FirstRun();
        SyntaxTree old = compilation.SyntaxTrees.First();
        string text = old.ToString().Replace("Version = \"1.2.0\"", "Version = \"1.3.0\"", StringComparison.Ordinal);
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(text, TestCompiler.ParseOptions, old.FilePath)));
        Assert.Contains(IncrementalStepRunReason.Modified, Steps(driver)[TrackingNames.Parse].Reasons);
    }

    [Fact]
    public void Caching_StepOutputs_HoldNoRoslynObjects()
    {
        var (driver, compilation) = FirstRun();
        driver = driver.RunGenerators(compilation.Clone());
        foreach (var (name, steps) in driver.GetRunResult().Results.Single().TrackedSteps.Where(s => AllTrackingNames.Contains(s.Key)))
        {
            foreach (IncrementalGeneratorRunStep step in steps)
            {
                foreach ((object value, IncrementalStepRunReason _) in step.Outputs)
                {
                    AssertNoRoslynObjects(value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
                }
            }
        }
    }

    private static void AssertNoRoslynObjects(object? node, string step, HashSet<object> visited)
    {
        if (node is null || node is string || node.GetType().IsPrimitive || node.GetType().IsEnum || !visited.Add(node))
        {
            return;
        }

        Assert.False(node is ISymbol or SyntaxNode or Location or Compilation or SemanticModel or AttributeData or SyntaxTree,
            $"Step {step} outputs a {node.GetType().FullName}");

        if (node is IEnumerable sequence)
        {
            foreach (object? item in sequence)
            {
                AssertNoRoslynObjects(item, step, visited);
            }

            return;
        }

        foreach (FieldInfo field in node.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertNoRoslynObjects(field.GetValue(node), step, visited);
        }
    }
}
