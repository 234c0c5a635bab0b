using System.Text;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace Kong.Pdk.PackageTests;

/// <summary>
/// Docs as tested code: every <c>project=</c> block group of docs/*.md (see <see cref="DocBlock"/>) is written out as
/// the page shows it and built, offline, against the packed packages; test projects among them must pass. The only
/// change made to a page's files: a <c>Kong.Pdk</c>/<c>Kong.Pdk.Testing</c> package version becomes the packed one.
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed partial class DocsProjectTests(PackageFixture package, ITestOutputHelper output)
{
    [Fact]
    public async Task Docs_EveryProject_BuildsAgainstThePackedPackages_AndItsTestsPass()
    {
        List<DocBlock> blocks = DocBlocks.Pages().SelectMany(DocBlocks.Read).Where(b => b.Project is not null && b.File is not null).ToList();
        string defaultProject = blocks.Single(b => b is { Page: "getting-started.md", File: "MyPlugin.csproj" }).Code;
        string root = package.NewProjectDirectory("docs");
        var projectFiles = new List<string>();

        foreach (IGrouping<(string Page, string Project), DocBlock> group in blocks.GroupBy(b => (b.Page, b.Project!)))
        {
            string directory = Path.Combine(root, Path.GetFileNameWithoutExtension(group.Key.Page), group.Key.Project);
            foreach (DocBlock block in group)
            {
                string path = Path.GetFullPath(Path.Combine(directory, block.File!));
                Assert.StartsWith(directory + Path.DirectorySeparatorChar, path, StringComparison.Ordinal);
                Assert.False(File.Exists(path), $"{block}: {block.File} is written twice");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, WithPackedVersion(block.Code));
            }

            List<string> csprojs = group.Where(b => b.File!.EndsWith(".csproj", StringComparison.Ordinal))
                .Select(b => Path.Combine(directory, b.File!)).ToList();
            if (csprojs.Count == 0)
            {
                // A page that shows only code: it builds in the project of docs/getting-started.md.
                csprojs.Add(Path.Combine(directory, group.Key.Project + ".csproj"));
                File.WriteAllText(csprojs[0], WithPackedVersion(defaultProject));
            }

            projectFiles.AddRange(csprojs);
        }

        var solution = new StringBuilder("<Solution>\n");
        foreach (string project in projectFiles)
        {
            solution.Append($"  <Project Path=\"{Path.GetRelativePath(root, project)}\" />\n");
        }

        File.WriteAllText(Path.Combine(root, "docs.slnx"), solution.Append("</Solution>\n").ToString());
        output.WriteLine(string.Join("\n", projectFiles));

        ProcessResult build = await package.DotnetAsync(root, ["build", "docs.slnx", "-nodeReuse:false", "-p:UseSharedCompilation=false"]);
        output.WriteLine(build.ToString());
        Assert.True(build.ExitCode == 0, $"a project of docs/ does not build as shown:\n{build}");
        Assert.DoesNotMatch(@"warning (CS|KONG)\d{4}", build.Output);
        Assert.DoesNotContain("warning : Kong.Pdk:", build.Output, StringComparison.Ordinal);

        ProcessResult test = await package.DotnetAsync(root, ["test", "docs.slnx", "--no-build"]);
        output.WriteLine(test.ToString());
        Assert.True(test.ExitCode == 0, $"the tests shown in docs/ do not pass:\n{test}");
        Assert.Matches(@"Passed! +- Failed: +0, Passed: +[1-9]\d*, .* KeyTagger\.Tests\.dll", test.Output);
    }

    private string WithPackedVersion(string code) =>
        PackageReferenceVersion().Replace(code, m => m.Groups["head"].Value + package.Version + "\"");

    [GeneratedRegex(@"(?<head><PackageReference Include=""Kong\.Pdk(\.Testing)?"" Version="")[^""]*""")]
    private static partial Regex PackageReferenceVersion();
}
