namespace Kong.Pdk.Hosting;

/// <summary>Levels of the server's own log, written to stderr (which Kong copies into its error log at INFO).</summary>
public enum KongLogLevel
{
    /// <summary>Every connection and message.</summary>
    Debug = 0,
    /// <summary>Start, stop, instances.</summary>
    Info = 1,
    /// <summary>Recoverable problems: bad messages, abandoned events.</summary>
    Warn = 2,
    /// <summary>Plugin exceptions and failures.</summary>
    Error = 3,
    /// <summary>Nothing.</summary>
    None = 4,
}
