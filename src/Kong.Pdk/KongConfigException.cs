namespace Kong.Pdk;

/// <summary>Thrown when the configuration Kong sent cannot be bound to the plugin's configuration properties.</summary>
public sealed class KongConfigException : Exception
{
    /// <summary>Creates the exception for <paramref name="field"/> (a dotted path such as <c>upstream.port</c>).</summary>
    public KongConfigException(string field, string message)
        : base($"invalid config field '{field}': {message}") => Field = field;

    /// <summary>Creates the exception for a problem that concerns the configuration as a whole.</summary>
    public KongConfigException(string message, Exception? innerException = null)
        : base(message, innerException) => Field = null;

    /// <summary>The dotted path of the field at fault, when one field is.</summary>
    public string? Field { get; }
}
