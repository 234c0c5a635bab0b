using BenchmarkDotNet.Running;
using Kong.Pdk.Benchmarks;

// dotnet run -c Release --project benchmarks/Kong.Pdk.Benchmarks -- --filter '*' [--job dry --inProcess]
// dotnet run -c Release --project benchmarks/Kong.Pdk.Benchmarks -- --alloc   (exact bytes per event and per Step)
// dotnet run -c Release --project benchmarks/Kong.Pdk.Benchmarks -- --alloc 20000 --listen   (the same, traced and metered)
if (args is ["--alloc-types", ..])
{
    // Which types the steady state allocates: the runtime's AllocationTick events (one per ~100 KB) by type name.
    using var listener = new AllocationTypeListener();
    AllocationCheck.Run(200_000);
    foreach (var pair in listener.Counts.OrderByDescending(p => p.Value).Take(15)) Console.WriteLine($"{pair.Value,6} ticks  {pair.Key}");
    return 0;
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
