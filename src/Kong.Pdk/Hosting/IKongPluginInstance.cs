namespace Kong.Pdk.Hosting;

/// <summary>
/// One configured plugin instance: what Kong's <c>plugin.StartInstance</c> creates. The source generator
/// implements it on every <see cref="KongPluginAttribute"/> class; it can also be implemented by hand.
/// </summary>
/// <remarks>Kong runs many events of one instance at the same time: implementations must be safe for
/// concurrent use and keep per-request state in locals, not fields.</remarks>
public interface IKongPluginInstance
{
    /// <summary>Runs the handler of <paramref name="phase"/>.</summary>
    /// <param name="phase">One of the phases the descriptor declared.</param>
    /// <param name="kong">The PDK for this event.</param>
    /// <param name="cancellationToken">Signalled when the event is abandoned (Kong stopped answering), its deadline
    /// passed, or the server is shutting down.</param>
    ValueTask InvokeAsync(KongPhase phase, IKong kong, CancellationToken cancellationToken);
}
