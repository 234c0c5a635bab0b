namespace Kong.Pdk.Generators.Model;

/// <summary>One <c>[KongPlugin]</c> class, as the emitter needs it. Only strings, numbers, booleans and other
/// equatable specs: the incremental pipeline caches it and compares it by value.</summary>
internal sealed record PluginSpec(
    string Namespace,
    string TypeName,
    string FullTypeName,
    string HintName,
    EquatableArray<ContainingTypeSpec> ContainingTypes,
    string TypeKeyword,
    string PluginName,
    string Version,
    int Priority,
    bool FailOpen,
    EquatableArray<PhaseSpec> Phases,
    RecordSpec Config,
    string? ProtocolsJson = null,
    EquatableArray<string> EntityChecksJson = default,
    EquatableArray<string> RestrictionsJson = default,
    EquatableArray<ServiceParameterSpec> ConstructorServices = default,
    bool HasConfigureServices = false,
    bool ImplicitConstructor = false)
{
    /// <summary>The plugin class's own properties include <c>init</c>-only (or <c>required</c>) ones and it is a class:
    /// the generated code binds them in a constructor of its own, which chains to the plugin's constructor, so that
    /// constructor runs once per instance.</summary>
    public bool BindsInConstructor => Config.UseObjectInitializer && !TypeKeyword.Contains("struct");

    /// <summary>The generated factory resolves constructor parameters from an <c>IServiceProvider</c>.</summary>
    public bool RequiresServices => ConstructorServices.Count > 0;

    /// <summary>The generated <c>Main</c> must build a service provider: constructor services or a ConfigureServices hook.</summary>
    public bool UsesServices => RequiresServices || HasConfigureServices;
}

/// <summary>One constructor parameter of a plugin class: its type (fully qualified) and whether it is optional (it has
/// a default value, so a missing service passes <see langword="null"/>).</summary>
internal sealed record ServiceParameterSpec(string TypeName, bool Optional);

/// <summary>A type that contains a nested plugin class: the generated part re-opens it.</summary>
internal sealed record ContainingTypeSpec(string Keyword, string Name);

/// <summary>One phase handler. <paramref name="Phase"/> is the value of <c>Kong.Pdk.KongPhase</c>.</summary>
internal sealed record PhaseSpec(int Phase, string MethodName, bool ReturnsTask, bool TakesCancellationToken);

/// <summary>What the generated <c>Main</c> needs to know about one plugin.</summary>
internal sealed record EntryPluginSpec(string PluginName, string FullTypeName, bool UsesServices = false, bool HasConfigureServices = false);

/// <summary>The compilation-wide facts that decide whether a <c>Main</c> is generated, and whether a class library
/// exports its plugins (<paramref name="CanExport"/>: the referenced Kong.Pdk has <c>KongPluginExportAttribute</c>).
/// <paramref name="HasHostingPackage"/>: Kong.Pdk.Extensions.Hosting is referenced, so the generated <c>Main</c> runs a
/// generic host that provides the services of plugins that take them.</summary>
internal sealed record EntryPointInfo(bool IsExecutable, bool HasMainMethod, bool IsLibrary = false, bool CanExport = false, bool HasHostingPackage = false);

/// <summary>A plugin that a referenced class library exports (its <c>[assembly: KongPluginExport]</c>):
/// <paramref name="IsAccessible"/> tells whether this compilation may name the class.</summary>
internal sealed record LibraryPluginSpec(string PluginName, string FullTypeName, string AssemblyName, bool IsAccessible, bool UsesServices = false, bool HasConfigureServices = false);
