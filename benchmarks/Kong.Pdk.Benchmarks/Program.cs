using BenchmarkDotNet.Running;
using Kong.Pdk.Benchmarks;

// dotnet run -c Release --project benchmarks/Kong.Pdk.Benchmarks -- --filter '*' [--job dry --inProcess]
// dotnet run -c Release --project benchmarks/Kong.Pdk.Benchmarks -- --alloc   (exact bytes per event and per Step)
// dotnet run -c Release --project benchmarks/Kong.Pdk.Benchmarks -- --alloc 20000 --listen   (the same, traced and metered)
// --alloc, --alloc-types and --gc take --mode thread|loop (the server's connection mode; default thread)
// --alloc-types N and --gc take --typed: TypedCallsPlugin's events (bool, int, double, KongValue, headers, consumer,
// set_header) instead of HelloPlugin's
bool typed = args.Contains("--typed");
args = [.. args.Where(a => a != "--typed")];
if (Array.IndexOf(args, "--mode") is int modeAt and >= 0 && modeAt + 1 < args.Length)
{
    string mode = args[modeAt + 1];
    switch (mode)
    {
        case "thread": InProcessKong.Mode = Kong.Pdk.Hosting.KongConnectionMode.Thread; break;
        case "loop": InProcessKong.Mode = Kong.Pdk.Hosting.KongConnectionMode.EventLoop; break;
        default: Console.Error.WriteLine($"unknown --mode '{mode}' (thread or loop)"); return 2;
    }

    args = [.. args.Take(modeAt), .. args.Skip(modeAt + 2)];
}

if (args is ["--alloc-types", ..])
{
    // Which types the steady state allocates: the runtime's AllocationTick events (one per ~100 KB) by type name.
    // --alloc-types [connections]: with a connection count, GcCheck's many-connection load instead of one connection.
    using var listener = new AllocationTypeListener();
    if (args.Length > 1) GcCheck.Run(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture), 400_000, typed);
    else AllocationCheck.Run(200_000);
    foreach (var pair in listener.Counts.ToArray().OrderByDescending(p => p.Value).Take(15)) Console.WriteLine($"{pair.Value,6} ticks  {pair.Key}");
    return 0;
}

if (args is ["--gc", ..])
{
    // dotnet run -c Release --project benchmarks/Kong.Pdk.Benchmarks -- --gc 64 1000000
    return GcCheck.Run(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), typed);
}

if (args is ["--alloc", ..])
{
    // --alloc [events] [--listen]: --listen attaches an ActivityListener (every span sampled) and a MeterListener
    // (every Kong.Pdk instrument) first, the cost of a server someone observes (docs/observability.md).
    bool listen = args.Contains("--listen");
    string? count = args.Skip(1).FirstOrDefault(a => a != "--listen");
    using TelemetryListeners? listeners = listen ? new TelemetryListeners() : null;
    return AllocationCheck.Run(count is null ? 20_000 : int.Parse(count, System.Globalization.CultureInfo.InvariantCulture));
}

BenchmarkSwitcher.FromAssembly(typeof(RoundTripBenchmarks).Assembly).Run(args);
return 0;

internal static class AllocationCheck
{
    /// <summary>Process-wide bytes allocated per steady-state event and per Step, measured with
    /// GC.GetTotalAllocatedBytes(precise: true) around <paramref name="events"/> events (after a warm-up).</summary>
    public static int Run(int events)
    {
        using var kong = new InProcessKong();
        (string Name, int Instance)[] cases =
        [
            ("HelloPlugin event (get_header + set_header)", kong.HelloInstance),
            ("1 set_header event", kong.OneCallInstance),
            ("10 set_header event", kong.TenCallInstance),
        ];
        var perEvent = new double[cases.Length];
        for (int c = 0; c < cases.Length; c++)
        {
            for (int i = 0; i < 5_000; i++) kong.RunEvent(cases[c].Instance);
            long before = GC.GetTotalAllocatedBytes(precise: true);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < events; i++) kong.RunEvent(cases[c].Instance);
            sw.Stop();
            long after = GC.GetTotalAllocatedBytes(precise: true);
            perEvent[c] = (after - before) / (double)events;
            Console.WriteLine($"{cases[c].Name,-46} {perEvent[c],8:0.0} B/event  {sw.Elapsed.TotalMicroseconds / events,7:0.0} us/event");
        }

        Console.WriteLine($"server allocation per steady-state Step (10-call minus 1-call, / 9): {(perEvent[2] - perEvent[1]) / 9:0.0} B");
        Console.WriteLine($"fixed cost per event (1-call event minus one Step):                 {perEvent[1] - (perEvent[2] - perEvent[1]) / 9:0.0} B");
        return 0;
    }
}

internal sealed class AllocationTypeListener : System.Diagnostics.Tracing.EventListener
{
    public System.Collections.Concurrent.ConcurrentDictionary<string, int> Counts { get; } = new();

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        if (e.EventName is not null && e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) && e.PayloadNames is not null)
        {
            int index = e.PayloadNames.IndexOf("TypeName");
            string type = index >= 0 ? e.Payload![index] as string ?? "?" : "?";
            Counts.AddOrUpdate(type, 1, (_, n) => n + 1);
        }
    }
}

internal static class GcCheck
{
    /// <summary>HelloPlugin events (TypedCallsPlugin's when <paramref name="typed"/>) from <paramref name="concurrency"/>
    /// client threads, each with its own connection, to the in-process server; prints the garbage collections of each
    /// generation and the bytes allocated (process-wide: the clients allocate nothing per event) per million events.</summary>
    public static int Run(int concurrency, int events, bool typed = false)
    {
        string plugin = typed ? "TypedCallsPlugin" : "HelloPlugin";
        using var first = new InProcessKong();
        var clients = new InProcessKong[concurrency];
        clients[0] = first;
        for (int i = 1; i < concurrency; i++) clients[i] = new InProcessKong(first);
        int instance = typed ? first.TypedInstance : first.HelloInstance;
        for (int i = 0; i < 2_000; i++) clients[i % concurrency].RunEvent(instance);
        int perClient = events / concurrency;
        int[] before = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        long bytes = GC.GetTotalAllocatedBytes(precise: true);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var threads = clients.Select(c => new Thread(() =>
        {
            for (int i = 0; i < perClient; i++) c.RunEvent(instance);
        })).ToArray();
        foreach (Thread t in threads) t.Start();
        foreach (Thread t in threads) t.Join();
        sw.Stop();
        double total = (double)perClient * concurrency;
        double scale = 1_000_000 / total;
        bytes = GC.GetTotalAllocatedBytes(precise: true) - bytes;
        Console.WriteLine($"{total:0} {plugin} events at c={concurrency} in {sw.Elapsed.TotalSeconds:0.0} s (GC: {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, concurrent {System.Runtime.GCSettings.LatencyMode})");
        Console.WriteLine($"per million events: gen0 {(GC.CollectionCount(0) - before[0]) * scale:0.0}, gen1 {(GC.CollectionCount(1) - before[1]) * scale:0.0}, gen2 {(GC.CollectionCount(2) - before[2]) * scale:0.0} collections; {bytes / total:0.0} B allocated per event");
        for (int i = 1; i < concurrency; i++) clients[i].Dispose();
        return 0;
    }
}
