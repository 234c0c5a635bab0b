using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Kong.Pdk.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Kong.Pdk.Generators.Analysis;

/// <summary>Plugin libraries: the plugins an executable's referenced class libraries export through
/// <c>[assembly: KongPluginExport(typeof(T), "name")]</c>, read from their metadata at compile time.</summary>
internal static class PluginLibraries
{
    /// <summary>The exported plugins of every referenced assembly, ordered by plugin name, then type, then assembly.
    /// Only executables serve them, so a library (or anything else) gets an empty list without a look at its
    /// references. Assemblies that do not reference Kong.Pdk are skipped before their attributes are decoded.</summary>
    public static EquatableArray<LibraryPluginSpec> Read(Compilation compilation, CancellationToken cancellationToken)
    {
        if (compilation.Options.OutputKind is not (OutputKind.ConsoleApplication or OutputKind.WindowsApplication)
            || compilation.GetTypeByMetadataName(KnownNames.KongPluginExportAttribute) is not { } exportAttribute)
        {
            return EquatableArray<LibraryPluginSpec>.Empty;
        }

        string kongPdk = exportAttribute.ContainingAssembly.Identity.Name;
        var plugins = new List<LibraryPluginSpec>();
        foreach (IAssemblySymbol assembly in compilation.SourceModule.ReferencedAssemblySymbols)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!ReferencesAssembly(assembly, kongPdk))
            {
                continue;
            }

            foreach (AttributeData attribute in assembly.GetAttributes())
            {
                if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, exportAttribute)
                    && attribute.ConstructorArguments.Length == 2
                    && attribute.ConstructorArguments[0].Value is INamedTypeSymbol { TypeKind: not TypeKind.Error } type
                    && attribute.ConstructorArguments[1].Value is string name)
                {
                    // Its services, as the library's own generator saw them: constructor parameters, or a ConfigureServices
                    // hook (called by the generated Main when this executable can reach it).
                    IMethodSymbol? hook = PluginConstructors.ConfigureServicesHook(type);
                    bool usesServices = PluginConstructors.Choose(type, out _) is { Parameters.IsEmpty: false } || hook is not null;
                    plugins.Add(new LibraryPluginSpec(
                        name,
                        ConfigModelBuilder.FullName(type),
                        assembly.Identity.Name,
                        compilation.IsSymbolAccessibleWithin(type, compilation.Assembly),
                        usesServices,
                        hook is not null && compilation.IsSymbolAccessibleWithin(hook, compilation.Assembly)));
                }
            }
        }

        return plugins
            .OrderBy(static p => p.PluginName, System.StringComparer.Ordinal)
            .ThenBy(static p => p.FullTypeName, System.StringComparer.Ordinal)
            .ThenBy(static p => p.AssemblyName, System.StringComparer.Ordinal)
            .ToEquatableArray();
    }

    private static bool ReferencesAssembly(IAssemblySymbol assembly, string name)
    {
        foreach (IModuleSymbol module in assembly.Modules)
        {
            foreach (AssemblyIdentity reference in module.ReferencedAssemblies)
            {
                if (reference.Name == name)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
