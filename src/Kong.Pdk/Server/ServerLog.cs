using System.Globalization;
using Kong.Pdk.Hosting;

namespace Kong.Pdk.Server;

/// <summary>
/// The server's own log: one line per record on stderr, <c>2026/11/26 22:50:00 [warn] my-plugin: text</c>. Kong
/// copies the server's output into its error log (prefixed with <c>[name:pid]</c>); stdout is reserved for
/// <c>-dump</c>.
/// </summary>
internal sealed class ServerLog
{
    private readonly TextWriter _output;
    private readonly object _sync = new();

    public ServerLog(string source, KongLogLevel minimum, TextWriter? output = null)
    {
        Source = source;
        Minimum = minimum;
        _output = output ?? Console.Error;
    }

    public string Source { get; }

    public KongLogLevel Minimum { get; }

    public bool IsEnabled(KongLogLevel level) => level >= Minimum && level != KongLogLevel.None;

    public void Debug(string message) => Write(KongLogLevel.Debug, message);

    public void Info(string message) => Write(KongLogLevel.Info, message);

    public void Warn(string message) => Write(KongLogLevel.Warn, message);

    public void Error(string message) => Write(KongLogLevel.Error, message);

    public void Write(KongLogLevel level, string message)
    {
        if (!IsEnabled(level)) return;
        string name = level switch
        {
            KongLogLevel.Debug => "debug",
            KongLogLevel.Info => "info",
            KongLogLevel.Warn => "warn",
            _ => "error",
        };

        // One record per line: Kong reads the output line by line.
        string line = string.Create(CultureInfo.InvariantCulture,
            $"{DateTime.UtcNow:yyyy/MM/dd HH:mm:ss} [{name}] {Source}: {message.ReplaceLineEndings(" | ")}");
        lock (_sync)
        {
            _output.WriteLine(line);
            _output.Flush();
        }
    }
}
