namespace Kong.Pdk.Pdk;

internal static class PdkPhaseText
{
    /// <summary>"rewrite, access, response" for error messages.</summary>
    public static string Describe(PdkPhases phases)
    {
        var names = new List<string>(6);
        foreach (KongPhase phase in new[] { KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log })
        {
            if (((int)phases & (1 << (int)phase)) != 0) names.Add(phase.ToWireName());
        }

        return names.Count == 0 ? "no phase" : string.Join(", ", names);
    }
}
