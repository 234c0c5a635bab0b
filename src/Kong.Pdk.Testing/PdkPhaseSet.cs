namespace Kong.Pdk.Testing;

/// <summary>The phases in which Kong allows a PDK function (kong-protocol.md §6.4), as flags of
/// <see cref="KongPhase"/>.</summary>
[Flags]
public enum PdkPhaseSet
{
    /// <summary>Never allowed (a function Kong has but cannot serve to an external plugin).</summary>
    None = 0,

    /// <summary><c>certificate</c>.</summary>
    Certificate = 1 << KongPhase.Certificate,

    /// <summary><c>rewrite</c>.</summary>
    Rewrite = 1 << KongPhase.Rewrite,

    /// <summary><c>access</c>.</summary>
    Access = 1 << KongPhase.Access,

    /// <summary><c>response</c>.</summary>
    Response = 1 << KongPhase.Response,

    /// <summary><c>preread</c>.</summary>
    Preread = 1 << KongPhase.Preread,

    /// <summary><c>log</c>.</summary>
    Log = 1 << KongPhase.Log,

    /// <summary>rewrite, access, response.</summary>
    Request = Rewrite | Access | Response,

    /// <summary>Every phase.</summary>
    All = Certificate | Rewrite | Access | Response | Preread | Log,
}

/// <summary>Helpers for <see cref="PdkPhaseSet"/>.</summary>
public static class PdkPhaseSetExtensions
{
    /// <summary>True when <paramref name="phase"/> is in the set.</summary>
    public static bool Allows(this PdkPhaseSet set, KongPhase phase) => ((int)set & (1 << (int)phase)) != 0;

    /// <summary>"rewrite, access, response".</summary>
    public static string Describe(this PdkPhaseSet set)
    {
        var names = new List<string>(6);
        foreach (KongPhase phase in new[] { KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log })
        {
            if (set.Allows(phase)) names.Add(phase.ToWireName());
        }

        return names.Count == 0 ? "no phase" : string.Join(", ", names);
    }
}
