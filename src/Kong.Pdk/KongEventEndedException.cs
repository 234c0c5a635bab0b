namespace Kong.Pdk;

/// <summary>Why an event ended before its handler returned.</summary>
public enum KongEventEndReason
{
    /// <summary>The handler called <c>kong.Response.ExitAsync</c> or <c>ErrorAsync</c>: Kong sends the response
    /// and never answers that call.</summary>
    Exited,

    /// <summary>Kong stopped answering (a PDK call failed in Kong, the client went away, the worker exited): no
    /// step arrived within the event idle timeout.</summary>
    Abandoned,

    /// <summary>The handler computed longer than the handler deadline without making a PDK call.</summary>
    DeadlineExceeded,


    /// <summary>The server is shutting down.</summary>
    ShuttingDown,
}

/// <summary>
/// Thrown by a PDK call when the event it belongs to has ended. <c>await kong.Response.ExitAsync(...)</c> throws
/// it on purpose, so that no code after an exit runs; the server treats a handler that ends with this exception
/// as a normal end. If you catch <see cref="Exception"/> in a handler, let <see cref="OperationCanceledException"/>
/// through (<c>catch (Exception e) when (e is not OperationCanceledException)</c>).
/// </summary>
public sealed class KongEventEndedException : OperationCanceledException
{
    /// <summary>Creates the exception for <paramref name="reason"/>.</summary>
    public KongEventEndedException(KongEventEndReason reason)
        : base(MessageFor(reason)) => Reason = reason;

    /// <summary>Why the event ended.</summary>
    public KongEventEndReason Reason { get; }

    private static string MessageFor(KongEventEndReason reason) => reason switch
    {
        KongEventEndReason.Exited => "The event has ended: kong.response.exit or kong.response.error was called, and Kong does not answer after it.",
        KongEventEndReason.Abandoned => "The event was abandoned: Kong sent no step within the event idle timeout.",
        KongEventEndReason.DeadlineExceeded => "The event ended: the handler passed its deadline.",
        _ => "The event ended: the plugin server is shutting down.",
    };
}
