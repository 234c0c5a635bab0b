namespace Kong.Pdk;

/// <summary>
/// The phases in which Kong allows a PDK method (kong-protocol.md §6.4). Every public method of the typed PDK
/// carries it, with exactly the phases the runtime enforces: a call in any other phase throws
/// <see cref="KongPdkException"/> before anything is sent to Kong.
/// </summary>
/// <remarks>
/// The Kong.Pdk analyzer reads this attribute from metadata and reports <c>KONG0301</c> when a phase handler of a
/// <see cref="KongPluginAttribute">[KongPlugin]</see> class calls such a method in a phase that is not listed, for
/// example <c>kong.Request.GetPathAsync</c> in <c>Log</c>, which Kong runs in a timer on saved data.
/// </remarks>
/// <example>
/// <code>
/// [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
/// public ValueTask&lt;string&gt; GetPathAsync(CancellationToken cancellationToken = default) => ...;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class KongPhasesAttribute : Attribute
{
    /// <summary>Declares the phases in which Kong allows the method.</summary>
    /// <param name="phases">Every phase in which the call is allowed, in Kong's order.</param>
    public KongPhasesAttribute(params KongPhase[] phases) => Phases = phases ?? [];

    /// <summary>The phases in which Kong allows the method.</summary>
    public IReadOnlyList<KongPhase> Phases { get; }
}
