using System.Runtime.CompilerServices;
using Xunit;

namespace Kong.Pdk.Generators.Tests;

/// <summary>Whole-file snapshots without Verify (STYLE.md §5). <c>KONG_UPDATE_SNAPSHOTS=1</c> accepts the new
/// output; .ci/run refuses to run with that variable set.</summary>
public static class Snapshot
{
    public static void Match(string actual, string name, string extension = ".cs",
        [CallerFilePath] string testFile = "", [CallerMemberName] string testName = "")
    {
        string folder = Path.Combine(Path.GetDirectoryName(testFile)!, "Snapshots",
            Path.GetFileNameWithoutExtension(testFile), testName);
        string verified = Path.Combine(folder, name + ".verified" + extension);
        string received = Path.Combine(folder, name + ".received" + extension);
        actual = actual.ReplaceLineEndings("\n");

        bool accept = Environment.GetEnvironmentVariable("KONG_UPDATE_SNAPSHOTS") == "1";
        string? expected = File.Exists(verified) ? File.ReadAllText(verified).ReplaceLineEndings("\n") : null;
        if (accept || expected == actual)
        {
            if (accept) { Directory.CreateDirectory(folder); File.WriteAllText(verified, actual); }
            File.Delete(received);
            return;
        }
        Directory.CreateDirectory(folder);
        File.WriteAllText(received, actual);
        Assert.Fail($"Snapshot {name} differs: compare {received} with {verified}, "
                  + "or rerun with KONG_UPDATE_SNAPSHOTS=1 to accept it.");
    }

    /// <summary>Fails when the folder holds a verified file that no call matched in this test (a generated file
    /// that disappeared), or when <paramref name="names"/> lists a file without a snapshot.</summary>
    public static void MatchAll(IReadOnlyDictionary<string, string> files, string extension = ".cs",
        [CallerFilePath] string testFile = "", [CallerMemberName] string testName = "")
    {
        foreach ((string name, string text) in files.OrderBy(static f => f.Key, StringComparer.Ordinal))
        {
            Match(text, name, extension, testFile, testName);
        }

        string folder = Path.Combine(Path.GetDirectoryName(testFile)!, "Snapshots",
            Path.GetFileNameWithoutExtension(testFile), testName);
        string suffix = ".verified" + extension;
        string[] stale = Directory.GetFiles(folder, "*" + suffix)
            .Select(f => Path.GetFileName(f)[..^suffix.Length])
            .Where(n => !files.ContainsKey(n))
            .ToArray();
        Assert.True(stale.Length == 0, "Snapshots without a generated file: " + string.Join(", ", stale));
    }
}
