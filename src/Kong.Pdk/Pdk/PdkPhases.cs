namespace Kong.Pdk.Pdk;

/// <summary>Set of phases in which Kong allows a PDK function (kong-protocol.md §6.4).</summary>
[Flags]
internal enum PdkPhases : byte
{
    None = 0,
    Certificate = 1 << KongPhase.Certificate,
    Rewrite = 1 << KongPhase.Rewrite,
    Access = 1 << KongPhase.Access,
    Response = 1 << KongPhase.Response,
    Preread = 1 << KongPhase.Preread,
    Log = 1 << KongPhase.Log,

    /// <summary>rewrite, access, response.</summary>
    Request = Rewrite | Access | Response,

    /// <summary>certificate, rewrite, access, response.</summary>
    CertificateRequest = Certificate | Request,

    /// <summary>access, response.</summary>
    AccessResponse = Access | Response,

    /// <summary>rewrite, access.</summary>
    RewriteAccess = Rewrite | Access,

    All = Certificate | Rewrite | Access | Response | Preread | Log,
}
