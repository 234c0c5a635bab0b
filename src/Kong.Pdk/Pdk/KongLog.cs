using Kong.Pdk.Server;
using MessagePack;

namespace Kong.Pdk.Pdk;

/// <summary><c>kong.log</c>: writes to Kong's error log, tagged with the plugin. All phases.</summary>
public sealed class KongLog
{
    private readonly KongEvent _event;

    internal KongLog(KongEvent ev) => _event = ev;

    /// <summary><c>kong.log.alert(message)</c>.</summary>
    public ValueTask AlertAsync(string message, CancellationToken cancellationToken = default) => Write(PdkMethods.LogAlert, message, cancellationToken);

    /// <summary><c>kong.log.crit(message)</c>.</summary>
    public ValueTask CritAsync(string message, CancellationToken cancellationToken = default) => Write(PdkMethods.LogCrit, message, cancellationToken);

    /// <summary><c>kong.log.err(message)</c>.</summary>
    public ValueTask ErrAsync(string message, CancellationToken cancellationToken = default) => Write(PdkMethods.LogErr, message, cancellationToken);

    /// <summary><c>kong.log.warn(message)</c>.</summary>
    public ValueTask WarnAsync(string message, CancellationToken cancellationToken = default) => Write(PdkMethods.LogWarn, message, cancellationToken);

    /// <summary><c>kong.log.notice(message)</c>.</summary>
    public ValueTask NoticeAsync(string message, CancellationToken cancellationToken = default) => Write(PdkMethods.LogNotice, message, cancellationToken);

    /// <summary><c>kong.log.info(message)</c>.</summary>
    public ValueTask InfoAsync(string message, CancellationToken cancellationToken = default) => Write(PdkMethods.LogInfo, message, cancellationToken);

    /// <summary><c>kong.log.debug(message)</c>.</summary>
    public ValueTask DebugAsync(string message, CancellationToken cancellationToken = default) => Write(PdkMethods.LogDebug, message, cancellationToken);

    private ValueTask Write(byte[] method, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        MessagePackWriter writer = _event.BeginCall(method, 1, PdkPhases.All, cancellationToken);
        writer.Write(message);
        return PdkDecode.IgnoreAsync(_event.SendCallAsync(ref writer));
    }
}
