using System.Diagnostics;
using System.Text;

namespace Kong.Pdk.PackageTests;

/// <summary>The outcome of one child process: exit code and interleaved stdout + stderr.</summary>
public sealed record ProcessResult(string CommandLine, int ExitCode, string Output, TimeSpan Elapsed)
{
    public override string ToString() => $"$ {CommandLine}\n(exit {ExitCode} after {Elapsed.TotalSeconds:F1} s)\n{Output}";
}

/// <summary>
/// Runs <c>dotnet</c> commands with a hard timeout. The process tree is killed in <c>finally</c>, so a hung
/// restore or build never outlives the test.
/// </summary>
public static class ProcessRunner
{
    /// <summary>The dotnet host running this test (the SDK's muxer), falling back to <c>dotnet</c> on PATH.</summary>
    public static string DotnetHost { get; } =
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static Task<ProcessResult> RunDotnetAsync(
        string workingDirectory, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null) =>
        RunAsync(DotnetHost, workingDirectory, arguments, timeout, environment);

    /// <summary>Runs any program (e.g. <c>bash build.sh pack</c>) in the same clean CLI environment.</summary>
    public static async Task<ProcessResult> RunAsync(
        string fileName, string workingDirectory, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // The test host runs inside `dotnet test`, whose MSBuild variables would point a child build at the
        // solution's MSBuild state; the child gets a clean, non-interactive CLI environment instead.
        foreach (string key in info.Environment.Keys.ToList())
        {
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || key.Equals("DOTNET_ROOT_TESTHOST", StringComparison.OrdinalIgnoreCase))
            {
                info.Environment.Remove(key);
            }
        }
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        if (environment is not null)
        {
            foreach ((string key, string? value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        string commandLine = (fileName == DotnetHost ? "dotnet" : fileName) + " " + string.Join(' ', info.ArgumentList);
        var output = new StringBuilder();
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        try
        {
            process.Start();
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                string partial;
                lock (output) { partial = output.ToString(); }
                throw new TimeoutException($"'{commandLine}' did not finish within {timeout.TotalSeconds:F0} s; output so far:\n{partial}");
            }

            process.WaitForExit(); // drains the redirected streams
            lock (output)
            {
                return new ProcessResult(commandLine, process.ExitCode, output.ToString(), stopwatch.Elapsed);
            }
        }
        finally
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
            catch (InvalidOperationException)
            {
                // never started, or already gone
            }
        }
    }
}
