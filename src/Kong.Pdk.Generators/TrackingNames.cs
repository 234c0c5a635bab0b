namespace Kong.Pdk.Generators;

/// <summary>Names of the incremental steps; the caching tests enumerate these constants.</summary>
public static class TrackingNames
{
    /// <summary>Attribute context → <c>PluginSpec?</c>.</summary>
    public const string Parse = nameof(Parse);

    /// <summary>Valid plugin specs.</summary>
    public const string Specs = nameof(Specs);

    /// <summary>Plugin spec → what the entry point needs.</summary>
    public const string EntryPlugins = nameof(EntryPlugins);

    /// <summary>All entry-point plugins, collected.</summary>
    public const string AllEntryPlugins = nameof(AllEntryPlugins);

    /// <summary>Whether the compilation is an executable and declares a <c>Main</c>.</summary>
    public const string CompilationInfo = nameof(CompilationInfo);

    /// <summary>A class library's plugins with the compilation facts: its <c>[assembly: KongPluginExport]</c> list.</summary>
    public const string Exports = nameof(Exports);

    /// <summary>The plugins that the referenced class libraries export.</summary>
    public const string LibraryPlugins = nameof(LibraryPlugins);

    /// <summary>Whether the compilation has top-level statements.</summary>
    public const string TopLevelStatements = nameof(TopLevelStatements);

    /// <summary>Everything the entry point needs, combined.</summary>
    public const string EntryPoint = nameof(EntryPoint);
}
