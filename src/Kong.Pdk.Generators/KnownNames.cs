namespace Kong.Pdk.Generators;

/// <summary>Metadata names of the Kong.Pdk types the generator and analyzers look for.</summary>
internal static class KnownNames
{
    public const string KongPluginAttribute = "Kong.Pdk.KongPluginAttribute";
    public const string KongPluginExportAttribute = "Kong.Pdk.Hosting.KongPluginExportAttribute";
    public const string IKong = "Kong.Pdk.IKong";
    public const string KongPluginApplication = "Kong.Pdk.Extensions.Hosting.KongPluginApplication";
    public const string KongPhasesAttribute = "Kong.Pdk.KongPhasesAttribute";
    public const string KongFieldAttribute = "Kong.Pdk.KongFieldAttribute";
    public const string KongRequiredAttribute = "Kong.Pdk.KongRequiredAttribute";
    public const string KongDefaultAttribute = "Kong.Pdk.KongDefaultAttribute";
    public const string KongOneOfAttribute = "Kong.Pdk.KongOneOfAttribute";
    public const string KongBetweenAttribute = "Kong.Pdk.KongBetweenAttribute";
    public const string KongGreaterThanAttribute = "Kong.Pdk.KongGreaterThanAttribute";
    public const string KongLengthAttribute = "Kong.Pdk.KongLengthAttribute";
    public const string KongLuaPatternAttribute = "Kong.Pdk.KongLuaPatternAttribute";
    public const string KongDescriptionAttribute = "Kong.Pdk.KongDescriptionAttribute";
    public const string KongReferenceableAttribute = "Kong.Pdk.KongReferenceableAttribute";
    public const string KongEncryptedAttribute = "Kong.Pdk.KongEncryptedAttribute";

    /// <summary>The phase method names in Kong's order; the index is the value of <c>Kong.Pdk.KongPhase</c>.</summary>
    public static readonly string[] Phases = { "Certificate", "Rewrite", "Access", "Response", "Preread", "Log" };
}
