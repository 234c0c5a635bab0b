namespace Kong.Pdk.Testing;

/// <summary>
/// The fake Kong stopped a run because the plugin did something Kong would not accept: a PDK function the fake does
/// not implement, a function called in a phase where Kong rejects it, a malformed message, an error answer, or a
/// timeout. The message names the method and the phase.
/// </summary>
public sealed class KongTestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KongTestException(string message) : base(message) { }

    /// <summary>Creates the exception with an inner exception.</summary>
    public KongTestException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The PDK method involved, when there is one (e.g. <c>kong.request.get_path</c>).</summary>
    public string? Method { get; init; }

    /// <summary>The phase that was running, when there is one.</summary>
    public KongPhase? Phase { get; init; }
}
