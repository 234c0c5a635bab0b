using System.Text.RegularExpressions;
using Xunit;

namespace Kong.Pdk.PackageTests;

/// <summary>Docs as tested code, the parts that need no package: every C# or XML block is a project file or a
/// marked snippet, and the reference pages name every public type.</summary>
public sealed partial class DocsTests
{
    [Fact]
    public void Docs_EveryCSharpAndXmlBlock_IsAProjectFileOrAMarkedSnippet()
    {
        var problems = new List<string>();
        foreach (string page in DocBlocks.Pages())
        {
            foreach (DocBlock block in DocBlocks.Read(page).Where(DocBlocks.LooksBuildable))
            {
                if (block.Snippet == (block.Project is not null))
                {
                    problems.Add($"{block}: mark it 'project=<name> file=<path>' (built by DocsProjectTests) or 'snippet' (not built)");
                }
                else if (block.Project is not null && block.File is null)
                {
                    problems.Add($"{block}: a project block needs file=<path>");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Docs_HaveProjectsToBuild_IncludingTheOnesIssue11Names()
    {
        var projects = DocBlocks.Pages().SelectMany(DocBlocks.Read).Where(b => b.Project is not null)
            .Select(b => $"{b.Page}:{b.Project}").ToHashSet();

        Assert.Contains("getting-started.md:MyPlugin", projects);
        Assert.Contains("authoring.md:HelloPlugin", projects);
        Assert.Contains("testing.md:KeyTagger", projects);
        Assert.Contains("pdk-reference.md:ErrorHandling", projects);
    }

    [Theory]
    [InlineData("Kong.Pdk", "pdk-reference.md")]
    [InlineData("Kong.Pdk.Testing", "testing.md")]
    public void PublicTypes_AreEachNamedInTheirReferencePage(string assembly, string page)
    {
        string text = File.ReadAllText(RepoPaths.Combine("docs", page));
        List<string> types = PublicTypes(assembly);
        Assert.NotEmpty(types);

        string[] missing = types.Where(t => !text.Contains("`" + t.Split('.')[^1] + "`", StringComparison.Ordinal)
                                             && !text.Contains("`" + t.Split('.')[^1] + ".", StringComparison.Ordinal)).ToArray();

        Assert.True(missing.Length == 0, $"docs/{page} does not name these public types of {assembly} (in `backticks`): {string.Join(", ", missing)}");
    }

    [Fact]
    public void PdkReference_NamesTheExceptionAFailedPdkCallRaises()
    {
        string text = File.ReadAllText(RepoPaths.Combine("docs", "pdk-reference.md"));

        Assert.Matches(@"## Errors: what a failed PDK call throws[\s\S]*`KongPdkException`[\s\S]*plugin\.StepError", text);
    }

    [Fact]
    public void Operations_Troubleshooting_GivesTheKong39CdataWorkaround_WithFlagsTheHostHas()
    {
        string text = File.ReadAllText(RepoPaths.Combine("docs", "operations.md"));
        int section = text.IndexOf("### Kong 3.9.x: the Admin API's `GET /` answers 500", StringComparison.Ordinal);
        Assert.True(section > 0, "operations.md has the Kong 3.9.x GET / troubleshooting section");
        string workaround = text[section..];

        foreach (string fact in (string[])["Cannot serialise cdata", "Kong/kong#14260", "Kong/go-pdk#226", "Open-source Kong releases stop", "no `start_cmd`", "ExecStart="])
        {
            Assert.Contains(fact, workaround.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        }

        Assert.DoesNotMatch(@"(?m)^pluginserver_my_plugin_start_cmd", workaround);
        // Every flag of the unit's command line is a documented host flag.
        string execStart = Regex.Match(workaround, @"(?m)^ExecStart=(?<line>.+)$").Groups["line"].Value;
        string commandLine = text[..text.IndexOf("## Logs", StringComparison.Ordinal)];
        foreach (string flag in execStart.Split(' ').Where(w => w.StartsWith('-')))
        {
            Assert.Contains("`" + flag, commandLine, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("README.md")]
    [InlineData("docs/getting-started.md")]
    public void Page_ShowsThePathFromACloneToAPluginWhoseTestsPass(string page)
    {
        // The commands PackageTests runs (Template_WithTests_...): pack, install the packed template, create a plugin
        // with tests and the local feed, build, test.
        string text = File.ReadAllText(RepoPaths.Combine(page.Split('/')));

        Assert.Matches(@"(?m)^\./build\.sh pack\b", text);
        Assert.Contains("""dotnet new install "$(ls -t "$feed"/Kong.Pdk.Templates.*.nupkg | head -1)" --force""", text, StringComparison.Ordinal);
        Assert.Contains("""dotnet new kongplugin -n MyPlugin --tests --local-feed "$feed" """.TrimEnd(), text, StringComparison.Ordinal);
        Assert.Contains("dotnet build", text, StringComparison.Ordinal);
        Assert.Contains("dotnet test", text, StringComparison.Ordinal);
    }

    /// <summary>The type lines of PublicAPI.Shipped.txt and PublicAPI.Unshipped.txt (members have "(", "->" or an
    /// accessor suffix; a type line is its bare full name).</summary>
    private static List<string> PublicTypes(string assembly) =>
        new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" }
            .SelectMany(f => File.ReadAllLines(RepoPaths.Combine("src", assembly, f)))
            .Select(l => l.Trim())
            .Where(l => TypeLine().IsMatch(l))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    [GeneratedRegex(@"^Kong\.Pdk(\.[A-Za-z_][A-Za-z0-9_]*)+$")]
    private static partial Regex TypeLine();
}
