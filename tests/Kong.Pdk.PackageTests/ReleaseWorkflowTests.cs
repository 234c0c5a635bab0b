using YamlDotNet.RepresentationModel;
using Xunit;

namespace Kong.Pdk.PackageTests;

/// <summary>
/// .github/workflows/release.yml parses as YAML and does what a maintainer relies on: a v* tag starts it, it runs
/// .ci/run, packs with build.sh at the tag's version, then pushes with the NUGET_API_KEY secret, in that order; and
/// every shell script in it passes <c>bash -n</c>.
/// </summary>
public sealed class ReleaseWorkflowTests
{
    private static readonly string WorkflowPath = RepoPaths.Combine(".github", "workflows", "release.yml");

    [Fact]
    public void ReleaseWorkflow_Parses_AndRunsOnVTags()
    {
        YamlMappingNode root = Load();

        var on = (YamlMappingNode)root.Children[new YamlScalarNode("on")];
        var push = (YamlMappingNode)on.Children[new YamlScalarNode("push")];
        var tags = (YamlSequenceNode)push.Children[new YamlScalarNode("tags")];
        Assert.Equal(["v*"], tags.Children.Select(t => ((YamlScalarNode)t).Value));
        Assert.False(on.Children.ContainsKey(new YamlScalarNode("pull_request")), "a release never runs for pull requests");
    }

    [Fact]
    public void ReleaseWorkflow_RunsCi_ThenPacksAtTheTagVersion_ThenPushesWithTheSecret()
    {
        List<YamlMappingNode> steps = Steps();
        int ci = steps.FindIndex(s => Run(s).Contains(".ci/run", StringComparison.Ordinal));
        int pack = steps.FindIndex(s => Run(s).Contains("./build.sh pack --version", StringComparison.Ordinal));
        int push = steps.FindIndex(s => Run(s).Contains("dotnet nuget push", StringComparison.Ordinal));

        Assert.True(ci >= 0, "a step runs .ci/run");
        Assert.True(pack > ci, "build.sh pack --version runs after .ci/run");
        Assert.True(push > pack, "dotnet nuget push runs after the pack");

        string versionStep = string.Join("\n", steps.Take(ci).Select(Run));
        Assert.Contains("GITHUB_REF_NAME#v", versionStep, StringComparison.Ordinal);
        Assert.Contains("VersionPrefix", versionStep, StringComparison.Ordinal);
        Assert.Contains("CHANGELOG.md", versionStep, StringComparison.Ordinal);

        var env = (YamlMappingNode)steps[push].Children[new YamlScalarNode("env")];
        Assert.Equal("${{ secrets.NUGET_API_KEY }}", ((YamlScalarNode)env.Children[new YamlScalarNode("NUGET_API_KEY")]).Value);
        Assert.Contains("--api-key \"$NUGET_API_KEY\"", Run(steps[push]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReleaseWorkflow_EveryRunScript_PassesBashSyntaxCheck()
    {
        foreach (string script in Steps().Select(Run).Where(r => r.Length > 0))
        {
            ProcessResult check = await ProcessRunner.RunAsync("bash", RepoPaths.Root, ["-n", "-c", script], TimeSpan.FromSeconds(30));
            Assert.True(check.ExitCode == 0, $"bash -n fails on:\n{script}\n{check}");
        }
    }

    private static YamlMappingNode Load()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(WorkflowPath))
        {
            yaml.Load(reader); // throws on a YAML syntax error, with line and column
        }

        return (YamlMappingNode)Assert.Single(yaml.Documents).RootNode;
    }

    private static List<YamlMappingNode> Steps()
    {
        var jobs = (YamlMappingNode)Load().Children[new YamlScalarNode("jobs")];
        var job = (YamlMappingNode)Assert.Single(jobs.Children).Value;
        return ((YamlSequenceNode)job.Children[new YamlScalarNode("steps")]).Children.Cast<YamlMappingNode>().ToList();
    }

    private static string Run(YamlMappingNode step) =>
        step.Children.TryGetValue(new YamlScalarNode("run"), out YamlNode? run) ? ((YamlScalarNode)run).Value ?? "" : "";
}
