using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Kong.Pdk.LoadTest;

internal static class Program
{
    private static int Main(string[] args)
    {
        Options o;
        try
        {
            o = Options.Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine($"Kong.Pdk.LoadTest: {ex.Message}");
            Console.Error.WriteLine(Options.Usage);
            return 2;
        }

        if (o.Help)
        {
            Console.WriteLine(Options.Usage);
            return 0;
        }

        var workload = new Workload(o.Plugin, o.Message, o.Calls, o.PayloadSize, o.ConfigJson);
        if (o.RawEchoPath is not null)
        {
            using var stop = new CancellationTokenSource();
            using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            using PosixSignalRegistration intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
            return new RawEchoServer(o.RawEchoPath, workload).Run(stop.Token);
        }

        if (o.SocketPath is null) throw new InvalidOperationException("unreachable: checked by Options.Parse");
        Process? server = null;
        try
        {
            int serverPid = o.ServerPid;
            if (o.ServerCommand is not null)
            {
                server = StartServer(o);
                serverPid = server.Id;
            }

            if (!WaitForSocket(o.SocketPath, server, TimeSpan.FromSeconds(o.StartupTimeoutSeconds), o.ServerLog))
            {
                return 3;
            }

            return Run(o, workload, serverPid);
        }
        finally
        {
            if (server is not null)
            {
                StopServer(server);
                server.Dispose();
            }
        }
    }

    private static Process StartServer(Options o)
    {
        // exec: the pid we watch is the server itself, not a shell.
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec " + o.ServerCommand + " >\"$KONG_LOADTEST_SERVER_LOG\" 2>&1");
        psi.Environment["KONG_LOADTEST_SERVER_LOG"] = o.ServerLog;
        if (File.Exists(o.SocketPath)) File.Delete(o.SocketPath!);
        Process process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the server");
        if (!o.Quiet) Console.Error.WriteLine($"started the server (pid {process.Id}): {o.ServerCommand}; its output goes to {o.ServerLog}");
        return process;
    }

    private static void StopServer(Process server)
    {
        try
        {
            if (server.HasExited) return;
            // SIGTERM first (both servers drain and unlink their socket), then SIGKILL.
            _ = kill(server.Id, 15);
            if (!server.WaitForExit(3000))
            {
                server.Kill(entireProcessTree: true);
                server.WaitForExit(3000);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    private static bool WaitForSocket(string path, Process? server, TimeSpan timeout, string log)
    {
        var sw = Stopwatch.StartNew();
        string last = "the socket does not exist";
        while (sw.Elapsed < timeout)
        {
            if (server is { HasExited: true })
            {
                Console.Error.WriteLine($"error: the server exited with code {server.ExitCode} before its socket appeared. Its output ({log}):");
                try
                {
                    foreach (string line in File.ReadLines(log).TakeLast(20)) Console.Error.WriteLine("  " + line);
                }
                catch (IOException)
                {
                }

                return false;
            }

            if (File.Exists(path))
            {
                try
                {
                    using KongConnection probe = KongConnection.Connect(path);
                    return true;
                }
                catch (System.Net.Sockets.SocketException ex)
                {
                    last = ex.Message;
                }
            }

            Thread.Sleep(20);
        }

        Console.Error.WriteLine($"error: cannot connect to {path} after {timeout.TotalSeconds:0} s: {last}");
        return false;
    }

    private static int Run(Options o, Workload workload, int serverPid)
    {
        int workerCount = Math.Min(o.Workers, o.Concurrency);
        var state = new RunState(o.Count, o.WarmupSeconds > 0);
        IClient client;
        try
        {
            client = o.ClientMode == ClientMode.Threads
                ? ThreadClient.Create(o, workload, workerCount, state)
                : LoopClient.Create(o, workload, workerCount, state);
        }
        catch (Exception ex) when (ex is ProtocolException or System.Net.Sockets.SocketException or MessagePack.MessagePackSerializationException)
        {
            Console.Error.WriteLine($"error: plugin.StartInstance of {workload.Plugin} failed: {ex.Message}");
            return 3;
        }

        using IClient disposeClient = client;
        if (!o.Quiet)
        {
            Console.Error.WriteLine($"{workload.Plugin} on {o.SocketPath}: concurrency {o.Concurrency} over {workerCount} worker(s), {client.Description}, {workload.Calls} PDK calls/event, payload {workload.PayloadSize} B, "
                + (o.Count > 0 ? $"{o.Count} events" : $"{o.DurationSeconds} s") + $" after {o.WarmupSeconds} s warm-up");
        }

        var total = Stopwatch.StartNew();
        client.Start();
        double rssAfterWarmup = double.NaN, cpuStart = double.NaN, selfCpuStart = double.NaN;
        int handlesAfterWarmup = -1, threadsAfterWarmup = -1;
        long measureStartTicks = 0;
        long errorsAtMeasureStart = 0;
        long lastCount = 0;
        double lastTime = 0;
        bool interactive = !Console.IsErrorRedirected;
        if (state.Phase == RunState.Measure)
        {
            rssAfterWarmup = ProcStats.RssMb(serverPid);
            handlesAfterWarmup = ProcStats.OpenHandles(serverPid);
            threadsAfterWarmup = ProcStats.Threads(serverPid);
            cpuStart = ProcStats.CpuSeconds(serverPid);
            selfCpuStart = ProcStats.CpuSeconds(Environment.ProcessId);
            measureStartTicks = Stopwatch.GetTimestamp();
        }

        while (state.Phase != RunState.Stop)
        {
            Thread.Sleep(100);
            double now = total.Elapsed.TotalSeconds;
            if (state.Phase == RunState.Warmup && now >= o.WarmupSeconds)
            {
                rssAfterWarmup = ProcStats.RssMb(serverPid);
                handlesAfterWarmup = ProcStats.OpenHandles(serverPid);
                threadsAfterWarmup = ProcStats.Threads(serverPid);
                cpuStart = ProcStats.CpuSeconds(serverPid);
                selfCpuStart = ProcStats.CpuSeconds(Environment.ProcessId);
                errorsAtMeasureStart = state.Errors;
                measureStartTicks = Stopwatch.GetTimestamp();
                state.SetPhase(RunState.Measure);
            }

            if (state.Phase == RunState.Measure && o.Count == 0 && Stopwatch.GetElapsedTime(measureStartTicks).TotalSeconds >= o.DurationSeconds)
            {
                state.SetPhase(RunState.Stop);
            }

            if (!o.Quiet && now - lastTime >= 1.0)
            {
                long count = state.Measured + state.Warm;
                double rate = (count - lastCount) / (now - lastTime);
                string label = state.Phase == RunState.Warmup ? "warm-up" : "measure";
                string line = string.Create(CultureInfo.InvariantCulture,
                    $"[{now,5:0.0} s] {label}: {count,9} events, {rate,9:0} events/s, errors {state.Errors}, server RSS {ProcStats.RssMb(serverPid):0.0} MB");
                if (interactive) Console.Error.Write("\r" + line);
                else Console.Error.WriteLine(line);
                lastCount = count;
                lastTime = now;
            }
        }

        client.Join(TimeSpan.FromSeconds(30));

        double seconds = Stopwatch.GetElapsedTime(measureStartTicks).TotalSeconds;
        if (interactive && !o.Quiet) Console.Error.WriteLine();
        double cpuEnd = ProcStats.CpuSeconds(serverPid);
        double selfCpuEnd = ProcStats.CpuSeconds(Environment.ProcessId);
        double rssEnd = ProcStats.RssMb(serverPid);
        int handlesEnd = ProcStats.OpenHandles(serverPid);
        int threadsEnd = ProcStats.Threads(serverPid);
        double peak = ProcStats.PeakRssMb(serverPid);
        var events = new Histogram();
        var calls = new Histogram();
        var handle = new Histogram();
        client.Merge(events, calls, handle);
        int connections = client.ConnectionsOpened;

        var r = new Result
        {
            Label = o.Label ?? workload.Plugin,
            Concurrency = o.Concurrency,
            Workers = workerCount,
            Calls = workload.Calls,
            Payload = workload.PayloadSize,
            Seconds = seconds,
            Events = events,
            PdkCalls = calls,
            HandleEvent = handle,
            Errors = state.Errors,
            ErrorsMeasured = state.Errors - errorsAtMeasureStart,
            ServerCpu = cpuEnd - cpuStart,
            ClientCpu = selfCpuEnd - selfCpuStart,
            RssAfterWarmup = rssAfterWarmup,
            RssEnd = rssEnd,
            HandlesAfterWarmup = handlesAfterWarmup,
            HandlesEnd = handlesEnd,
            ThreadsAfterWarmup = threadsAfterWarmup,
            ThreadsEnd = threadsEnd,
            PeakRss = peak,
            Connections = connections,
        };
        Console.WriteLine(r.Describe());
        foreach (string e in state.ErrorSamples) Console.WriteLine("  error: " + e);
        if (o.MarkdownPath is not null) r.AppendMarkdown(o.MarkdownPath);
        if (events.Count == 0 && r.Errors == 0)
        {
            Console.Error.WriteLine("error: no event completed");
            return 1;
        }

        if (o.MaxServerThreads > 0 && (threadsEnd > o.MaxServerThreads || threadsAfterWarmup > o.MaxServerThreads))
        {
            Console.Error.WriteLine($"error: the server had {threadsAfterWarmup} threads after warm-up and {threadsEnd} at the end; --max-server-threads {o.MaxServerThreads}");
            return 1;
        }

        return r.Errors > 0 ? 1 : 0;
    }
}

internal sealed class Result
{
    public required string Label { get; init; }
    public int Concurrency { get; init; }
    public int Workers { get; init; }
    public int Calls { get; init; }
    public int Payload { get; init; }
    public double Seconds { get; init; }
    public required Histogram Events { get; init; }
    public required Histogram PdkCalls { get; init; }
    public required Histogram HandleEvent { get; init; }
    public long Errors { get; init; }
    public long ErrorsMeasured { get; init; }
    public double ServerCpu { get; init; }
    public double ClientCpu { get; init; }
    public double RssAfterWarmup { get; init; }
    public double RssEnd { get; init; }
    public int HandlesAfterWarmup { get; init; }
    public int HandlesEnd { get; init; }
    public int ThreadsAfterWarmup { get; init; }
    public int ThreadsEnd { get; init; }
    public double PeakRss { get; init; }
    public int Connections { get; init; }

    private double Rate => Events.Count / Seconds;

    private static string Ms(long ns) => (ns / 1e6).ToString("0.000", CultureInfo.InvariantCulture);

    private static string Us(long ns) => (ns / 1e3).ToString("0.0", CultureInfo.InvariantCulture);

    public string Describe()
    {
        var sb = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        sb.AppendLine(string.Create(c, $"== {Label}: concurrency {Concurrency} ({Workers} worker(s)), {Calls} PDK calls/event, payload {Payload} B, {Seconds:0.00} s measured"));
        sb.AppendLine(string.Create(c, $"events          {Events.Count} ({Rate:0} events/s); errors {Errors} ({ErrorsMeasured} while measuring)"));
        sb.AppendLine($"event latency   p50 {Ms(Events.Percentile(0.5))} ms  p90 {Ms(Events.Percentile(0.9))} ms  p99 {Ms(Events.Percentile(0.99))} ms  max {Ms(Events.Max)} ms");
        sb.AppendLine($"PDK call (Step round trip)  p50 {Us(PdkCalls.Percentile(0.5))} us  p90 {Us(PdkCalls.Percentile(0.9))} us  p99 {Us(PdkCalls.Percentile(0.99))} us  max {Us(PdkCalls.Max)} us  ({PdkCalls.Count} calls)");
        sb.AppendLine($"HandleEvent round trip      p50 {Us(HandleEvent.Percentile(0.5))} us  p99 {Us(HandleEvent.Percentile(0.99))} us");
        sb.AppendLine(string.Create(c, $"server CPU      {ServerCpu:0.00} s ({100 * ServerCpu / Seconds:0}% of one core, {1e6 * ServerCpu / Math.Max(1, Events.Count):0.0} us/event)"));
        sb.AppendLine(string.Create(c, $"load tool CPU   {ClientCpu:0.00} s ({100 * ClientCpu / Seconds:0}% of one core, {1e6 * ClientCpu / Math.Max(1, Events.Count):0.0} us/event)"));
        sb.AppendLine(string.Create(c, $"server RSS      after warm-up {RssAfterWarmup:0.0} MB, at the end {RssEnd:0.0} MB, peak (VmHWM) {PeakRss:0.0} MB"));
        sb.AppendLine(string.Create(c, $"server handles  after warm-up {HandlesAfterWarmup} fds / {ThreadsAfterWarmup} threads, at the end {HandlesEnd} fds / {ThreadsEnd} threads"));
        sb.Append(string.Create(c, $"connections     {Connections} opened"));
        return sb.ToString();
    }

    public const string MarkdownHeader =
        "| server | conc. | events/s | event p50 ms | p90 ms | p99 ms | max ms | PDK call p50 µs | call p99 µs | errors | server CPU µs/event | load tool CPU µs/event | RSS warm→end MB | peak RSS MB | threads warm→end |\n" +
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";

    public void AppendMarkdown(string path)
    {
        var c = CultureInfo.InvariantCulture;
        bool exists = File.Exists(path) && new FileInfo(path).Length > 0;
        string row = string.Create(c,
            $"| {Label} | {Concurrency} | {Rate:0} | {Ms(Events.Percentile(0.5))} | {Ms(Events.Percentile(0.9))} | {Ms(Events.Percentile(0.99))} | {Ms(Events.Max)} | {Us(PdkCalls.Percentile(0.5))} | {Us(PdkCalls.Percentile(0.99))} | {Errors} | {1e6 * ServerCpu / Math.Max(1, Events.Count):0.0} | {1e6 * ClientCpu / Math.Max(1, Events.Count):0.0} | {RssAfterWarmup:0.0}→{RssEnd:0.0} | {PeakRss:0.0} | {ThreadsAfterWarmup}→{ThreadsEnd} |\n");
        File.AppendAllText(path, (exists ? "" : MarkdownHeader) + row);
    }
}
