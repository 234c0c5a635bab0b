namespace Kong.Pdk;

/// <summary>Converts between <see cref="KongPhase"/> and the phase names Kong uses on the wire and in dumps.</summary>
public static class KongPhaseNames
{
    /// <summary>The wire name of <paramref name="phase"/>, e.g. <c>"access"</c>.</summary>
    public static string ToWireName(this KongPhase phase) => phase switch
    {
        KongPhase.Certificate => "certificate",
        KongPhase.Rewrite => "rewrite",
        KongPhase.Access => "access",
        KongPhase.Response => "response",
        KongPhase.Preread => "preread",
        KongPhase.Log => "log",
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, "Not a Kong phase."),
    };

    /// <summary>Parses a wire phase name (ordinal, lower case).</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8Name, out KongPhase phase)
    {
        if (utf8Name.SequenceEqual("access"u8)) { phase = KongPhase.Access; return true; }
        if (utf8Name.SequenceEqual("log"u8)) { phase = KongPhase.Log; return true; }
        if (utf8Name.SequenceEqual("response"u8)) { phase = KongPhase.Response; return true; }
        if (utf8Name.SequenceEqual("rewrite"u8)) { phase = KongPhase.Rewrite; return true; }
        if (utf8Name.SequenceEqual("certificate"u8)) { phase = KongPhase.Certificate; return true; }
        if (utf8Name.SequenceEqual("preread"u8)) { phase = KongPhase.Preread; return true; }
        phase = default;
        return false;
    }

    /// <summary>True for the phases in which an unhandled exception fails the request closed by default
    /// (rewrite, access, response).</summary>
    public static bool IsRequestPhase(this KongPhase phase)
        => phase is KongPhase.Rewrite or KongPhase.Access or KongPhase.Response;
}
