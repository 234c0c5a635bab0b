using Microsoft.CodeAnalysis;

namespace Kong.Pdk.Generators.Diagnostics;

/// <summary>The single catalogue of diagnostics. Each one links to docs/diagnostics/KONGnnnn.md.</summary>
internal static class Descriptors
{
    private const string Category = "Kong.Pdk";
    private const string HelpBase = "https://github.com/kong-pdk-dotnet/Kong.Pdk/blob/main/docs/diagnostics/";

    public static readonly DiagnosticDescriptor HandlerReturnType = Create(
        DiagnosticIds.HandlerReturnType,
        "Phase handler must return ValueTask or Task",
        "Phase handler '{0}' returns '{1}'; it must return ValueTask or Task",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor HandlerParameters = Create(
        DiagnosticIds.HandlerParameters,
        "Phase handler must take IKong and an optional CancellationToken",
        "Phase handler '{0}' {1}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor HandlerAsyncVoid = Create(
        DiagnosticIds.HandlerAsyncVoid,
        "Phase handler must not be async void",
        "Phase handler '{0}' is async void; Kong would move on before it finishes, return ValueTask instead",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor HandlerNotPublicInstance = Create(
        DiagnosticIds.HandlerNotPublicInstance,
        "Phase handler must be a public instance method",
        "Phase handler '{0}' must be a public instance method",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor PhaseLookAlike = Create(
        DiagnosticIds.PhaseLookAlike,
        "Method looks like a phase handler but is not one",
        "Method '{0}' is not a Kong phase handler and will never run; {1}",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor DuplicatePhase = Create(
        DiagnosticIds.DuplicatePhase,
        "Phase has more than one handler",
        "Phase '{0}' already has a handler; a plugin has at most one method per phase",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NoPhase = Create(
        DiagnosticIds.NoPhase,
        "Plugin has no phase handler",
        "Plugin '{0}' has no phase handler; add a method such as 'public ValueTask Access(IKong kong, CancellationToken cancellationToken)'",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor UnsupportedConfigType = Create(
        DiagnosticIds.UnsupportedConfigType,
        "Configuration property type has no Kong schema type",
        "Property '{0}' has type '{1}', which cannot be a Kong schema field: {2}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidDefault = Create(
        DiagnosticIds.InvalidDefault,
        "Default value does not fit the field",
        "Default value of '{0}' is invalid: {1}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DescriptionLength = Create(
        DiagnosticIds.DescriptionLength,
        "Description must have 10 to 500 characters",
        "Description of '{0}' has {1} characters; Kong rejects the whole schema unless it has 10 to 500",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidConstraint = Create(
        DiagnosticIds.InvalidConstraint,
        "Schema attribute does not fit the property",
        "Attribute '{0}' on '{1}' is invalid: {2}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor PrecisionLoss = Create(
        DiagnosticIds.PrecisionLoss,
        "Kong stores numbers as doubles",
        "Property '{0}' has type '{1}', but Kong stores numbers as doubles (exact integers only up to 2^53); consider '{2}'",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor DuplicateFieldName = Create(
        DiagnosticIds.DuplicateFieldName,
        "Two configuration properties have the same field name",
        "Field name '{0}' of property '{1}' is already used by property '{2}'",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidFieldName = Create(
        DiagnosticIds.InvalidFieldName,
        "Configuration field name is invalid",
        "Field name '{0}' of property '{1}' is invalid: {2}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor LanguageVersionTooOld = Create(
        DiagnosticIds.LanguageVersionTooOld,
        "Kong.Pdk needs C# 11 or later",
        "Plugin '{0}' is compiled as C# {1}; the generated plugin code needs C# 11 or later, so none is generated (set LangVersion to 11 or later, or remove it)",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidPluginSchema = Create(
        DiagnosticIds.InvalidPluginSchema,
        "Plugin schema attribute is invalid",
        "Attribute '{0}' on plugin '{1}' is invalid: {2}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SchemaJsonNotAnObject = Create(
        DiagnosticIds.SchemaJsonNotAnObject,
        "Raw schema JSON is not a JSON object",
        "[KongSchemaJson] on '{0}' is not a JSON object: {1}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SchemaJsonNotInMetaschema = Create(
        DiagnosticIds.SchemaJsonNotInMetaschema,
        "Raw schema JSON does not fit Kong's metaschema",
        "[KongSchemaJson] on '{0}' is invalid: {1}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SchemaJsonRepeatsGeneratedKey = Create(
        DiagnosticIds.SchemaJsonRepeatsGeneratedKey,
        "Raw schema JSON repeats a key the generator writes",
        "[KongSchemaJson] on '{0}' sets '{1}', which the generator writes {2}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NotPartial = Create(
        DiagnosticIds.NotPartial,
        "Plugin class must be partial",
        "Type '{0}' must be partial so that the generator can add the plugin descriptor",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidVersion = Create(
        DiagnosticIds.InvalidVersion,
        "Plugin version must be x.y.z",
        "Plugin version '{0}' is invalid; Kong requires numeric 'x.y.z' (or 'x.y')",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidPluginName = Create(
        DiagnosticIds.InvalidPluginName,
        "Plugin name is invalid",
        "Plugin name '{0}' is invalid; use lower-case letters, digits, '-' and '_', starting with a letter",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DuplicatePluginName = new(
        DiagnosticIds.DuplicatePluginName,
        "Two plugins have the same name",
        "Plugin name '{0}' is also used by '{1}'; each plugin of a project needs its own name",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + DiagnosticIds.DuplicatePluginName + ".md",
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor PluginNotInstantiable = Create(
        DiagnosticIds.PluginNotInstantiable,
        "Plugin class cannot be instantiated by the generated code",
        "Plugin class '{0}' cannot be used: {1}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnresolvableConstructorParameter = Create(
        DiagnosticIds.UnresolvableConstructorParameter,
        "Plugin constructor parameter cannot come from services",
        "Parameter '{0}' of the '{1}' constructor cannot be resolved from a service provider: {2}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ServicesWithoutHost = Create(
        DiagnosticIds.ServicesWithoutHost,
        "Plugin takes services but nothing provides them",
        "Plugin class '{0}' takes services (constructor parameters or ConfigureServices), and the generated Main needs Kong.Pdk.Extensions.Hosting to provide them: add a PackageReference to Kong.Pdk.Extensions.Hosting, or write a Main that calls KongPluginHost.RunAsync(args, services)",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ConfigureServicesNotUsed = Create(
        DiagnosticIds.ConfigureServicesNotUsed,
        "ConfigureServices does not have the hook's shape",
        "'ConfigureServices' on '{0}' is never called: the hook must be 'public static void ConfigureServices(IServiceCollection services)' (or internal)",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor PdkCallWrongPhase = Create(
        DiagnosticIds.PdkCallWrongPhase,
        "PDK method is not available in this phase",
        "'{0}' cannot be called in the {1} phase; Kong allows it only in: {2}",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor BundledPluginName = Create(
        DiagnosticIds.BundledPluginName,
        "Plugin name is the name of a Kong bundled plugin",
        "Plugin name '{0}' is the name of a plugin bundled with Kong; Kong loads its own '{0}' and this plugin never runs, choose another name",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SocketPathTooLong = Create(
        DiagnosticIds.SocketPathTooLong,
        "Plugin name is too long for the socket path",
        "Plugin name '{0}' makes the socket path '{1}' {2} bytes long; a Unix socket path has at most 107, so the server cannot bind under Kong's default prefix",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor InheritedHandler = Create(
        DiagnosticIds.InheritedHandler,
        "Phase handler is inherited from a base class",
        "'{0}' is declared on the base class '{1}' and will never run: only methods declared in '{2}' are phase handlers; declare '{0}' in '{2}' (it may call base.{0})",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor LibraryPluginNameTaken = Create(
        DiagnosticIds.LibraryPluginNameTaken,
        "Two plugins served by the executable have the same name",
        "Plugin name '{0}' is used by both {1} and {2}; the executable serves every plugin of the libraries it references beside its own, and each needs its own name",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor LibraryPluginNotPublic = Create(
        DiagnosticIds.LibraryPluginNotPublic,
        "Plugin of a referenced library is not public",
        "Plugin '{0}' ({1} in the referenced library '{2}') is not public, so this executable cannot serve it; make the class (and any class it is nested in) public",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor LibraryServicesWithoutHost = Create(
        DiagnosticIds.LibraryServicesWithoutHost,
        "Plugin of a referenced library takes services but nothing provides them",
        "Plugin '{0}' ({1} in the referenced library '{2}') takes services (constructor parameters or ConfigureServices), and the generated Main needs Kong.Pdk.Extensions.Hosting to provide them: add a PackageReference to Kong.Pdk.Extensions.Hosting, or write a Main that calls KongPluginHost.RunAsync(args, services)",
        DiagnosticSeverity.Error);

    /// <summary>What the generator itself reports, when it composes an executable from plugin libraries (the
    /// analyzers report everything else).</summary>
    public static readonly DiagnosticDescriptor[] ReportedByGenerator = { LibraryPluginNameTaken, LibraryPluginNotPublic, LibraryServicesWithoutHost };

    public static readonly DiagnosticDescriptor BlockingPdkCall = Create(
        DiagnosticIds.BlockingPdkCall,
        "PDK call is waited on synchronously",
        "'{0}' blocks a thread until Kong answers '{1}'; await the call instead",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor UnawaitedPdkCall = Create(
        DiagnosticIds.UnawaitedPdkCall,
        "PDK call is not awaited",
        "The result of '{0}' is discarded; await it, or the handler may finish before Kong has done it and its failure is lost",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor HandlerWritesInstanceState = Create(
        DiagnosticIds.HandlerWritesInstanceState,
        "Phase handler writes plugin instance state",
        "Phase handler '{0}' writes '{1}', which every concurrent request of this plugin instance shares; keep per-request state in locals or kong.Ctx",
        DiagnosticSeverity.Warning);

    private static DiagnosticDescriptor Create(string id, string title, string message, DiagnosticSeverity severity)
        => new(id, title, message, Category, severity, isEnabledByDefault: true, helpLinkUri: HelpBase + id + ".md");
}
