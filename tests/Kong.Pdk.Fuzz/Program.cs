// Long-running fuzzer for the plugin server (issue 6):
// dotnet run --project tests/Kong.Pdk.Fuzz -c Release -- [--inputs N] [--seconds S] [--seed N] [--workers N] [--connection-mode thread|loop]
using System.Globalization;
using Kong.Pdk.Fuzz;

long inputs = 1_000_000;
double seconds = 600;
int seed = 1;
int workers = 4;
var mode = Kong.Pdk.Hosting.KongConnectionMode.Thread;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--inputs": inputs = long.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--seconds": seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--workers": workers = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--connection-mode":
            switch (args[i + 1])
            {
                case "thread": mode = Kong.Pdk.Hosting.KongConnectionMode.Thread; break;
                case "loop" or "eventloop": mode = Kong.Pdk.Hosting.KongConnectionMode.EventLoop; break;
                default: Console.Error.WriteLine($"unknown connection mode {args[i + 1]} (thread or loop)"); return 2;
            }

            break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}

long unobserved = 0;
TaskScheduler.UnobservedTaskException += (_, e) => { Interlocked.Increment(ref unobserved); Console.Error.WriteLine("unobserved: " + e.Exception); };
Console.WriteLine($"fuzzing: up to {inputs:N0} inputs or {seconds} s, seed {seed}, {workers} workers, {mode} connections");
FuzzReport report = await new FuzzEngine(seed, mode).RunAsync(inputs, TimeSpan.FromSeconds(seconds), workers, p => Console.Error.WriteLine(p));
GC.Collect();
GC.WaitForPendingFinalizers();
Console.WriteLine(report);
Console.WriteLine($"unobserved task exceptions: {unobserved}");
bool ok = report.Passed && Interlocked.Read(ref unobserved) == 0;
Console.WriteLine(ok ? "PASS" : "FAIL");
return ok ? 0 : 1;
