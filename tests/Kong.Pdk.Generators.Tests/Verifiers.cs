using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Kong.Pdk.Generators.Tests;

/// <summary>Analyzer and code-fix test setup: net8.0 reference assemblies from Basic.Reference.Assemblies plus
/// Kong.Pdk, so nothing is downloaded during a test run.</summary>
public static class Verifiers
{
    public const string Prefix = "#nullable enable\n" + TestCompiler.Usings;

    private static readonly ReferenceAssemblies NoPackages = new("net8.0-basic");

    public static async Task AnalyzeAsync<TAnalyzer>(string source, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        {
            TestCode = Prefix + source,
            ReferenceAssemblies = NoPackages,
        };
        test.TestState.AdditionalReferences.AddRange(TestCompiler.References);
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    public static async Task FixAsync<TAnalyzer, TCodeFix>(string source, string fixedSource, int iterations = -1, string? equivalenceKey = null)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            TestCode = Prefix + source,
            FixedCode = Prefix + fixedSource,
            ReferenceAssemblies = NoPackages,
            CodeActionEquivalenceKey = equivalenceKey,
        };
        if (iterations > 0)
        {
            test.NumberOfFixAllIterations = iterations;
            test.NumberOfFixAllInDocumentIterations = iterations;
            test.NumberOfIncrementalIterations = iterations;
        }

        test.TestState.AdditionalReferences.AddRange(TestCompiler.References);
        test.FixedState.AdditionalReferences.AddRange(TestCompiler.References);
        await test.RunAsync();
    }
}
