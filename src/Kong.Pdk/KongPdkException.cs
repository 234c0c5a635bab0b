namespace Kong.Pdk;

/// <summary>
/// A PDK call failed: Kong reported an error for it (<c>plugin.StepError</c>), it is not allowed in the current
/// phase (checked before anything is sent), or Kong's answer did not have the expected shape.
/// </summary>
public sealed class KongPdkException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KongPdkException(string method, string message, Exception? innerException = null)
        : base(method + ": " + message, innerException) => Method = method;

    /// <summary>The dotted PDK function name, e.g. <c>kong.request.get_header</c>.</summary>
    public string Method { get; }
}
