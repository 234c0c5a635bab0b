namespace Kong.Pdk.Generators.Diagnostics;

/// <summary>Diagnostic ids, shared with the code fixes and the tests. Ranges: KONG00xx phases, KONG01xx
/// configuration and schema, KONG02xx plugin declaration, KONG03xx PDK usage.</summary>
public static class DiagnosticIds
{
    public const string HandlerReturnType = "KONG0001";
    public const string HandlerParameters = "KONG0002";
    public const string HandlerAsyncVoid = "KONG0003";
    public const string HandlerNotPublicInstance = "KONG0004";
    public const string PhaseLookAlike = "KONG0005";
    public const string DuplicatePhase = "KONG0006";
    public const string NoPhase = "KONG0007";

    public const string UnsupportedConfigType = "KONG0101";
    public const string InvalidDefault = "KONG0102";
    public const string DescriptionLength = "KONG0103";
    public const string InvalidConstraint = "KONG0104";
    public const string PrecisionLoss = "KONG0105";
    public const string DuplicateFieldName = "KONG0106";
    public const string InvalidFieldName = "KONG0107";
    public const string LanguageVersionTooOld = "KONG0110";
    public const string InvalidPluginSchema = "KONG0111";
    public const string SchemaJsonNotAnObject = "KONG0112";
    public const string SchemaJsonNotInMetaschema = "KONG0113";
    public const string SchemaJsonRepeatsGeneratedKey = "KONG0114";

    public const string NotPartial = "KONG0201";
    public const string InvalidVersion = "KONG0202";
    public const string InvalidPluginName = "KONG0203";
    public const string DuplicatePluginName = "KONG0204";
    public const string PluginNotInstantiable = "KONG0205";
    public const string BundledPluginName = "KONG0206";
    public const string SocketPathTooLong = "KONG0207";
    public const string InheritedHandler = "KONG0208";
    public const string UnresolvableConstructorParameter = "KONG0210";
    public const string ServicesWithoutHost = "KONG0211";
    public const string ConfigureServicesNotUsed = "KONG0212";

    // KONG022x: plugin libraries composed into an executable, reported by the generator.
    public const string LibraryPluginNameTaken = "KONG0220";
    public const string LibraryPluginNotPublic = "KONG0221";
    public const string LibraryServicesWithoutHost = "KONG0222";

    public const string PdkCallWrongPhase = "KONG0301";
    public const string BlockingPdkCall = "KONG0302";
    public const string UnawaitedPdkCall = "KONG0303";
    public const string HandlerWritesInstanceState = "KONG0304";
}
