namespace Kong.Pdk;

/// <summary>Thrown when the configuration Kong sent cannot be bound to the plugin's configuration properties.</summary>
public sealed class KongConfigException : Exception
{
    /// <summary>Creates the exception for <paramref name="field"/> (a dotted path such as <c>upstream.port</c>).</summary>
    public KongConfigException(string field, string message)
        : this(field, message, fromBinder: false)
    {
    }

    /// <summary>Creates the exception for a problem that concerns the configuration as a whole.</summary>
    public KongConfigException(string message, Exception? innerException = null)
        : this(message, innerException, fromBinder: false)
    {
    }

    internal KongConfigException(string field, string message, bool fromBinder)
        : base($"invalid config field '{field}': {message}")
    {
        Field = field;
        FromBinder = fromBinder;
    }

    internal KongConfigException(string message, Exception? innerException, bool fromBinder)
        : base(message, innerException)
    {
        Field = null;
        FromBinder = fromBinder;
    }

    /// <summary>Created by the generated binder (<see cref="Hosting.KongConfigReader"/>), whose messages hold paths and
    /// expectations only, never a configuration value; any other message may hold one and is never sent or logged.</summary>
    internal bool FromBinder { get; }

    /// <summary>The dotted path of the field at fault, when one field is.</summary>
    public string? Field { get; }
}
