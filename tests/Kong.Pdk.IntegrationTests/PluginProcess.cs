using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Kong.Pdk.IntegrationTests;

/// <summary>The built HelloPlugin executable, started as Kong's start_cmd would start it. Always killed on dispose.</summary>
internal sealed class PluginProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _stdout = new();

    private PluginProcess(Process process)
    {
        _process = process;
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_stdout) _stdout.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
    }

    public int Pid => _process.Id;

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static string PluginDll => SampleDll("HelloPlugin", "HelloPlugin");

    /// <summary>The built sample <paramref name="project"/> under samples/<paramref name="folder"/>, in the configuration
    /// the tests were built in.</summary>
    public static string SampleDll(string folder, string project)
    {
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        string path = Path.Combine(RepoRoot, "samples", folder, "bin", configuration, "net10.0", project + ".dll");
        if (!File.Exists(path)) throw new InvalidOperationException(project + " is not built: " + path);
        return path;
    }

    public static string RepoRoot
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "Kong.Pdk.sln"))) dir = Path.GetDirectoryName(dir);
            return dir ?? throw new InvalidOperationException("repository root not found");
        }
    }

    public static PluginProcess Start(params string[] args) => StartUnder([], args);

    /// <summary>Starts the plugin through a launcher that execs it, such as <c>prlimit --nofile=…</c> or
    /// <c>setpriv --reuid=…</c> (the launcher's pid becomes the plugin's).</summary>
    public static PluginProcess StartUnder(string[] launcher, params string[] args) => StartDll(PluginDll, launcher, args);

    /// <summary>Starts a native executable (a NativeAOT publish) through <paramref name="launcher"/>, which execs it.</summary>
    public static PluginProcess StartNative(string executable, string[] launcher, params string[] args)
    {
        var info = new ProcessStartInfo(launcher.Length > 0 ? launcher[0] : executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in launcher.Skip(1)) info.ArgumentList.Add(arg);
        if (launcher.Length > 0) info.ArgumentList.Add(executable);
        foreach (string arg in args) info.ArgumentList.Add(arg);
        return new PluginProcess(Process.Start(info)!);
    }

    /// <summary>Starts another built plugin executable, <paramref name="dll"/>.</summary>
    public static PluginProcess StartDll(string dll, string[] launcher, params string[] args) => StartDll(dll, launcher, null, args);

    /// <summary>Starts another built plugin executable with extra environment variables.</summary>
    public static PluginProcess StartDll(string dll, string[] launcher, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo(launcher.Length > 0 ? launcher[0] : "dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (KeyValuePair<string, string> variable in environment ?? new Dictionary<string, string>()) info.Environment[variable.Key] = variable.Value;
        foreach (string arg in launcher.Skip(1)) info.ArgumentList.Add(arg);
        if (launcher.Length > 0) info.ArgumentList.Add(DotnetHost);
        info.ArgumentList.Add(dll);
        foreach (string arg in args) info.ArgumentList.Add(arg);
        return new PluginProcess(Process.Start(info)!);
    }

    /// <summary>The dotnet host running the tests (a launcher needs its full path).</summary>
    public static string DotnetHost => Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "/usr/bin/dotnet";

    /// <summary>Waits until a connection to <paramref name="path"/> reaches this process (its serverPid).</summary>
    public async Task WaitServingAsync(string path, TimeSpan? timeout = null)
    {
        long deadline = Environment.TickCount64 + (long)(timeout ?? TimeSpan.FromSeconds(30)).TotalMilliseconds;
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"the plugin exited with {_process.ExitCode}: {Stderr}");
            try
            {
                await using Kong.Pdk.TestSupport.KongConnection probe = await Kong.Pdk.TestSupport.KongConnection.ConnectAsync(path, TimeSpan.FromSeconds(5));
                if (probe.ServerPid == Pid) return;
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or EndOfStreamException or OperationCanceledException)
            {
            }

            if (Environment.TickCount64 > deadline) throw new TimeoutException($"{path} does not reach pid {Pid}: {Stderr}");
            await Task.Delay(25);
        }
    }

    /// <summary>Runs to completion (for -dump, -help); returns exit code, stdout, stderr.</summary>
    public static Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args) => RunDllAsync(PluginDll, args);

    /// <summary>Runs another built plugin executable, <paramref name="dll"/>, to completion.</summary>
    public static Task<(int Code, string Stdout, string Stderr)> RunDllAsync(string dll, params string[] args) => RunDllAsync(dll, null, args);

    /// <summary>Runs another built plugin executable to completion, with extra environment variables.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunDllAsync(string dll, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (KeyValuePair<string, string> variable in environment ?? new Dictionary<string, string>()) info.Environment[variable.Key] = variable.Value;
        info.ArgumentList.Add(dll);
        foreach (string arg in args) info.ArgumentList.Add(arg);
        using Process process = Process.Start(info)!;
        try
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            return (process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    public async Task WaitForSocketAsync(string path, TimeSpan? timeout = null)
    {
        long deadline = Environment.TickCount64 + (long)(timeout ?? TimeSpan.FromSeconds(20)).TotalMilliseconds;
        while (!File.Exists(path))
        {
            if (_process.HasExited) throw new InvalidOperationException($"the plugin exited with {_process.ExitCode}: {Stderr}");
            if (Environment.TickCount64 > deadline) throw new TimeoutException("socket not created: " + Stderr);
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until stderr contains <paramref name="text"/>.</summary>
    public async Task WaitForStderrAsync(string text, TimeSpan? timeout = null)
    {
        long deadline = Environment.TickCount64 + (long)(timeout ?? TimeSpan.FromSeconds(20)).TotalMilliseconds;
        while (!Stderr.Contains(text, StringComparison.Ordinal))
        {
            if (Environment.TickCount64 > deadline) throw new TimeoutException($"'{text}' not logged: {Stderr}");
            await Task.Delay(10);
        }
    }

    public void SendSigterm() => Assert.Equal(0, Kill(_process.Id, 15));

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
