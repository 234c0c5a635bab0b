using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Kong.Pdk.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace Kong.Pdk.Generators.Tests;

/// <summary>Docs stay true: the diagnostics index matches the release tracking and the descriptors, every id has a
/// page its help link points to, and code in docs/authoring.md compiles or matches the sample it quotes.</summary>
public partial class DocsTests
{
    private static string RepoRoot([CallerFilePath] string file = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", ".."));

    private static readonly DiagnosticDescriptor[] AllDescriptors = new DiagnosticAnalyzer[]
        {
            new PhaseSignatureAnalyzer(), new ConfigPropertyAnalyzer(), new PluginDeclarationAnalyzer(), new PdkPhaseUsageAnalyzer(),
            new PdkCallAnalyzer(), new HandlerStateAnalyzer(), new LanguageVersionAnalyzer(), new PluginServicesAnalyzer(),
        }
        .SelectMany(a => a.SupportedDiagnostics)
        .Concat(Descriptors.ReportedByGenerator)
        .OrderBy(d => d.Id, StringComparer.Ordinal)
        .ToArray();

    [GeneratedRegex(@"^\| \[(KONG\d{4})\]\(KONG\d{4}\.md\) \| (.+?) \| (Error|Warning|Info) \| (.+?) \|$", RegexOptions.Multiline)]
    private static partial Regex IndexRow();

    [GeneratedRegex(@"^(KONG\d{4}) \| Kong\.Pdk \| (Error|Warning|Info) \| (.+)$", RegexOptions.Multiline)]
    private static partial Regex ReleaseRow();

    [Fact]
    public void Diagnostics_IndexAndReleaseTracking_ListEveryDescriptorExactly()
    {
        string index = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "diagnostics", "index.md"));
        string releases = File.ReadAllText(Path.Combine(RepoRoot(), "src", "Kong.Pdk.Generators", "AnalyzerReleases.Shipped.md"))
            + File.ReadAllText(Path.Combine(RepoRoot(), "src", "Kong.Pdk.Generators", "AnalyzerReleases.Unshipped.md"));

        var indexRows = IndexRow().Matches(index).Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value)).ToArray();
        var releaseRows = ReleaseRow().Matches(releases).Select(m => (m.Groups[1].Value, m.Groups[3].Value.Trim(), m.Groups[2].Value)).ToArray();
        var descriptors = AllDescriptors.Select(d => (d.Id, d.Title.ToString(), d.DefaultSeverity.ToString())).ToArray();

        Assert.Equal(descriptors, indexRows);
        Assert.Equal(descriptors, releaseRows.OrderBy(r => r.Item1, StringComparer.Ordinal));
        Assert.Equal(typeof(DiagnosticIds).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!).Order(StringComparer.Ordinal),
            descriptors.Select(d => d.Id));
    }

    [Fact]
    public void Diagnostics_EveryId_HasAPageLinkedByItsHelpUri()
    {
        foreach (DiagnosticDescriptor descriptor in AllDescriptors)
        {
            string page = Path.Combine(RepoRoot(), "docs", "diagnostics", descriptor.Id + ".md");
            Assert.True(File.Exists(page), "missing " + page);
            string text = File.ReadAllText(page);
            Assert.StartsWith("# " + descriptor.Id + ": " + descriptor.Title, text, StringComparison.Ordinal);
            Assert.Contains("## Code that is flagged", text, StringComparison.Ordinal);
            Assert.Contains("## How to fix it", text, StringComparison.Ordinal);
            Assert.EndsWith("docs/diagnostics/" + descriptor.Id + ".md", descriptor.HelpLinkUri, StringComparison.Ordinal);
            Assert.Equal("Kong.Pdk", descriptor.Category);
            Assert.False(descriptor.Title.ToString().EndsWith('.'), descriptor.Id + " title ends with a period");
        }
    }

    [Fact]
    public void Diagnostics_CodeFixColumn_MatchesTheFixers()
    {
        var fixable = new Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider[]
            {
                new Kong.Pdk.CodeFixes.HandlerSignatureCodeFixProvider(), new Kong.Pdk.CodeFixes.MakePartialCodeFixProvider(), new Kong.Pdk.CodeFixes.HandlerStateCodeFixProvider(),
            }
            .SelectMany(f => f.FixableDiagnosticIds).ToHashSet();
        string index = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "diagnostics", "index.md"));
        foreach (Match row in IndexRow().Matches(index))
        {
            Assert.Equal(fixable.Contains(row.Groups[1].Value), row.Groups[4].Value.StartsWith("Yes", StringComparison.Ordinal));
        }
    }

    [GeneratedRegex(@"<!-- include: (?<path>[^ ]+) -->\n```csharp[^\n]*\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex Include();

    [GeneratedRegex(@"<!-- compile -->\n```csharp[^\n]*\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex Compile();

    [Fact]
    public void Authoring_IncludedSnippets_MatchTheirSources()
    {
        string doc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "authoring.md")).ReplaceLineEndings("\n");
        var includes = Include().Matches(doc);
        Assert.NotEmpty(includes);
        foreach (Match include in includes)
        {
            string source = File.ReadAllText(Path.Combine(RepoRoot(), include.Groups["path"].Value)).ReplaceLineEndings("\n");
            Assert.Equal(source, include.Groups["code"].Value);
        }
    }

    [Fact]
    public void Authoring_CompiledSnippets_BuildWithoutWarnings()
    {
        string doc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "authoring.md")).ReplaceLineEndings("\n");
        var blocks = Compile().Matches(doc);
        Assert.NotEmpty(blocks);
        foreach (Match block in blocks)
        {
            // The block is a whole file (it has its own using Kong.Pdk); the other usings stand for ImplicitUsings.
            var result = TestCompiler.Run(TestCompiler.Create(TestCompiler.Usings.Replace("using Kong.Pdk;\n", string.Empty, StringComparison.Ordinal) + block.Groups["code"].Value, OutputKind.ConsoleApplication));
            TestCompiler.AssertCompilesCleanly(result.Output);
            Assert.Contains(result.Files.Keys, k => k.EndsWith("KongPluginEntryPoint", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Sample_HelloPlugin_GeneratesAValidSchemaAndCompilesCleanly()
    {
        string source = File.ReadAllText(Path.Combine(RepoRoot(), "samples", "HelloPlugin", "HelloPlugin.cs"));
        var result = TestCompiler.Run(TestCompiler.Create(TestCompiler.Usings.Replace("using Kong.Pdk;\n", string.Empty, StringComparison.Ordinal) + source, OutputKind.ConsoleApplication));
        TestCompiler.AssertCompilesCleanly(result.Output);
        var descriptor = (Kong.Pdk.Hosting.KongPluginDescriptor)TestCompiler.Load(result.Output)
            .GetType("HelloPlugin.HelloPlugin", throwOnError: true)!
            .GetProperty("Descriptor")!.GetValue(null)!;
        Assert.Empty(Kong.Pdk.PackageTests.KongSchemaValidator.ValidateSchema(descriptor.SchemaJson, descriptor.Name));
        Assert.Equal(new[] { KongPhase.Access }, descriptor.Phases);
    }
}
