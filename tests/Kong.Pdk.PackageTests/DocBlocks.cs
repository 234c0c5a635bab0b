using System.Text.RegularExpressions;

namespace Kong.Pdk.PackageTests;

/// <summary>
/// One fenced code block of a page in docs/. Its info string says what it is:
/// <list type="bullet">
/// <item><c>```csharp project=MyPlugin file=MyPlugin.cs</c>: a file of a complete project. The blocks of one page
/// with the same <c>project</c> are written to one folder and built against the packed packages; a project without
/// a <c>.csproj</c> block gets the project file of docs/getting-started.md.</item>
/// <item><c>```csharp snippet</c>: an excerpt for reading (a statement, two alternative signatures); not built.</item>
/// </list>
/// A C# or XML block with neither is an error, so nothing that looks buildable goes untested. Blocks right after
/// <c>&lt;!-- compile --&gt;</c> or <c>&lt;!-- include: path --&gt;</c> are also checked by the generator tests.
/// </summary>
public sealed record DocBlock(string Page, int Line, string Language, string? Project, string? File, bool Snippet, string? Marker, string Code)
{
    public override string ToString() => $"{Page}:{Line} ```{Language}";
}

/// <summary>Reads the fenced blocks of docs/*.md (diagnostics pages show flagged code on purpose and are left out).</summary>
public static partial class DocBlocks
{
    public static IReadOnlyList<string> Pages() =>
        Directory.EnumerateFiles(RepoPaths.Combine("docs"), "*.md").Order(StringComparer.Ordinal).ToList();

    public static IReadOnlyList<DocBlock> Read(string page)
    {
        string[] lines = System.IO.File.ReadAllText(page).ReplaceLineEndings("\n").Split('\n');
        string name = Path.GetFileName(page);
        var blocks = new List<DocBlock>();
        for (int i = 0; i < lines.Length; i++)
        {
            Match open = Fence().Match(lines[i]);
            if (!open.Success)
            {
                continue;
            }

            int start = i;
            string indent = open.Groups["indent"].Value;
            var code = new List<string>();
            for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
            {
                code.Add(lines[i].StartsWith(indent, StringComparison.Ordinal) ? lines[i][indent.Length..] : lines[i]);
            }

            string[] words = open.Groups["info"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string language = words.Length > 0 ? words[0] : "";
            string? Attribute(string key) => words.Skip(1).FirstOrDefault(w => w.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..];
            string? marker = start > 0 && lines[start - 1].TrimStart().StartsWith("<!--", StringComparison.Ordinal) ? lines[start - 1].Trim() : null;
            blocks.Add(new DocBlock(name, start + 1, language, Attribute("project"), Attribute("file"), words.Contains("snippet"), marker,
                string.Join('\n', code) + "\n"));
        }

        return blocks;
    }

    /// <summary>The languages whose blocks must be a project file or a snippet.</summary>
    public static bool LooksBuildable(DocBlock block) => block.Language is "csharp" or "cs" or "c#" or "xml";

    [GeneratedRegex(@"^(?<indent>\s*)```(?<info>[^`]*)$")]
    private static partial Regex Fence();
}
