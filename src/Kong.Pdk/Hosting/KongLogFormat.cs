namespace Kong.Pdk.Hosting;

/// <summary>Where the server's own log lines go when its <see cref="KongServerOptions.Services"/> hold an
/// <c>ILoggerFactory</c> (<c>-log-format</c>; docs/operations.md).</summary>
public enum KongLogFormat
{
    /// <summary>Through the services' <c>ILoggerFactory</c> (category <c>Kong.Pdk.Server</c>) when there is one, so the
    /// host's providers, format and filters apply; otherwise as <see cref="Kong"/>. The default.</summary>
    Logger = 0,

    /// <summary>Always one line per record on stderr in the format Kong copies into its error log
    /// (<c>2026/12/03 14:00:00 [warn] my-plugin: text</c>), even with a host.</summary>
    Kong = 1,
}
