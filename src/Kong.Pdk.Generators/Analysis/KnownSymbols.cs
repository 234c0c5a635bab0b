using Microsoft.CodeAnalysis;

namespace Kong.Pdk.Generators.Analysis;

/// <summary>The well-known symbols of one compilation. Lives only inside a transform or an analyzer callback;
/// never stored in a pipeline model.</summary>
internal sealed class KnownSymbols
{
    private KnownSymbols(Compilation compilation)
    {
        Compilation = compilation;
        KongPlugin = compilation.GetTypeByMetadataName(KnownNames.KongPluginAttribute);
        IKong = compilation.GetTypeByMetadataName(KnownNames.IKong);
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
        Guid = compilation.GetTypeByMetadataName("System.Guid");
        Uri = compilation.GetTypeByMetadataName("System.Uri");
        List = compilation.GetTypeByMetadataName("System.Collections.Generic.List`1");
        IList = compilation.GetTypeByMetadataName("System.Collections.Generic.IList`1");
        ICollection = compilation.GetTypeByMetadataName("System.Collections.Generic.ICollection`1");
        IEnumerable = compilation.GetTypeByMetadataName("System.Collections.Generic.IEnumerable`1");
        IReadOnlyList = compilation.GetTypeByMetadataName("System.Collections.Generic.IReadOnlyList`1");
        IReadOnlyCollection = compilation.GetTypeByMetadataName("System.Collections.Generic.IReadOnlyCollection`1");
        ImmutableArray = compilation.GetTypeByMetadataName("System.Collections.Immutable.ImmutableArray`1");
        HashSet = compilation.GetTypeByMetadataName("System.Collections.Generic.HashSet`1");
        ISet = compilation.GetTypeByMetadataName("System.Collections.Generic.ISet`1");
        IReadOnlySet = compilation.GetTypeByMetadataName("System.Collections.Generic.IReadOnlySet`1");
        Dictionary = compilation.GetTypeByMetadataName("System.Collections.Generic.Dictionary`2");
        IDictionary = compilation.GetTypeByMetadataName("System.Collections.Generic.IDictionary`2");
        IReadOnlyDictionary = compilation.GetTypeByMetadataName("System.Collections.Generic.IReadOnlyDictionary`2");
        Field = compilation.GetTypeByMetadataName(KnownNames.KongFieldAttribute);
        Required = compilation.GetTypeByMetadataName(KnownNames.KongRequiredAttribute);
        Default = compilation.GetTypeByMetadataName(KnownNames.KongDefaultAttribute);
        OneOf = compilation.GetTypeByMetadataName(KnownNames.KongOneOfAttribute);
        Between = compilation.GetTypeByMetadataName(KnownNames.KongBetweenAttribute);
        GreaterThan = compilation.GetTypeByMetadataName(KnownNames.KongGreaterThanAttribute);
        Length = compilation.GetTypeByMetadataName(KnownNames.KongLengthAttribute);
        LuaPattern = compilation.GetTypeByMetadataName(KnownNames.KongLuaPatternAttribute);
        Description = compilation.GetTypeByMetadataName(KnownNames.KongDescriptionAttribute);
        Referenceable = compilation.GetTypeByMetadataName(KnownNames.KongReferenceableAttribute);
        Encrypted = compilation.GetTypeByMetadataName(KnownNames.KongEncryptedAttribute);
    }

    public Compilation Compilation { get; }
    public INamedTypeSymbol? KongPlugin { get; }
    public INamedTypeSymbol? IKong { get; }
    public INamedTypeSymbol? CancellationToken { get; }
    public INamedTypeSymbol? Task { get; }
    public INamedTypeSymbol? ValueTask { get; }
    public INamedTypeSymbol? Guid { get; }
    public INamedTypeSymbol? Uri { get; }
    public INamedTypeSymbol? List { get; }
    public INamedTypeSymbol? IList { get; }
    public INamedTypeSymbol? ICollection { get; }
    public INamedTypeSymbol? IEnumerable { get; }
    public INamedTypeSymbol? IReadOnlyList { get; }
    public INamedTypeSymbol? IReadOnlyCollection { get; }
    public INamedTypeSymbol? ImmutableArray { get; }
    public INamedTypeSymbol? HashSet { get; }
    public INamedTypeSymbol? ISet { get; }
    public INamedTypeSymbol? IReadOnlySet { get; }
    public INamedTypeSymbol? Dictionary { get; }
    public INamedTypeSymbol? IDictionary { get; }
    public INamedTypeSymbol? IReadOnlyDictionary { get; }
    public INamedTypeSymbol? Field { get; }
    public INamedTypeSymbol? Required { get; }
    public INamedTypeSymbol? Default { get; }
    public INamedTypeSymbol? OneOf { get; }
    public INamedTypeSymbol? Between { get; }
    public INamedTypeSymbol? GreaterThan { get; }
    public INamedTypeSymbol? Length { get; }
    public INamedTypeSymbol? LuaPattern { get; }
    public INamedTypeSymbol? Description { get; }
    public INamedTypeSymbol? Referenceable { get; }
    public INamedTypeSymbol? Encrypted { get; }

    public static KnownSymbols Create(Compilation compilation) => new(compilation);

    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? known)
        => known is not null && type is not null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, known);

    public AttributeData? Find(ISymbol symbol, INamedTypeSymbol? attribute)
    {
        if (attribute is null)
        {
            return null;
        }

        foreach (AttributeData data in symbol.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, attribute))
            {
                return data;
            }
        }

        return null;
    }
}
