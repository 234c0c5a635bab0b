namespace Kong.Pdk.Hosting;

/// <summary>The plugin server cannot start: the socket path is unusable, or the command line is wrong.</summary>
public sealed class KongServerStartException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KongServerStartException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
