namespace Kong.Pdk.Generators.Model;

/// <summary>The Kong schema type a CLR type maps to (kong-protocol.md §2.5).</summary>
internal enum ConfigKind
{
    String,
    Boolean,
    Integer,
    Number,
    Enum,
    Guid,
    Uri,
    Array,
    Set,
    Map,
    Record,
}

/// <summary>The CLR numeric type behind an integer or number field; decides ranges and conversions.</summary>
internal enum ClrNumeric
{
    None,
    SByte,
    Byte,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Single,
    Double,
    Decimal,
}

/// <summary>How the binder builds a collection.</summary>
internal enum CollectionShape
{
    None,
    Array,
    List,
    ImmutableArray,
    HashSet,
    Dictionary,
}

/// <summary>A CLR type as the schema writer and the binder see it.</summary>
/// <param name="TypeName">Fully qualified (<c>global::</c>) name of the non-nullable type.</param>
/// <param name="IsNullable"><see langword="true"/> when <c>null</c> can be stored (<c>T?</c>).</param>
/// <param name="Element">Elements of arrays and sets, values of maps.</param>
internal sealed record ConfigTypeSpec(
    ConfigKind Kind,
    string TypeName,
    bool IsNullable,
    ClrNumeric Numeric,
    CollectionShape Shape,
    ConfigTypeSpec? Element,
    EquatableArray<EnumMemberSpec> EnumMembers,
    RecordSpec? Record);

/// <summary>An enum member and its schema name.</summary>
internal sealed record EnumMemberSpec(string MemberName, string WireName);

/// <summary>A configuration record: the plugin class itself or a nested configuration class.</summary>
/// <param name="UseObjectInitializer">Some property is <c>init</c>-only, so the binder collects values first and
/// creates the object with an object initializer.</param>
internal sealed record RecordSpec(string TypeName, bool UseObjectInitializer, EquatableArray<ConfigFieldSpec> Fields);

/// <summary>One configuration property and its schema attributes. <paramref name="ElementsMayBeEmpty"/>: the
/// default holds an empty string element (or map value), so the elements (values) get <c>len_min: 0</c>;
/// <paramref name="KeysMayBeEmpty"/>: the same for an empty key of a map default. <paramref name="CSharpRequired"/>: a
/// C# <c>required</c> member, which the binder must set in an object initializer. <paramref name="ExplicitlyOptional"/>:
/// <c>[KongOptional]</c>, written as <c>required: false</c>. <paramref name="Validators"/>: more schema keys, each a
/// <c>"key":value</c> JSON fragment (<c>not_one_of</c>, <c>match_all</c>, <c>deprecation</c>, ...).
/// <paramref name="ElementRules"/>: the validators of each element of an array or set, or of each value of a map
/// (<c>Target = KongTarget.Elements</c> or <c>Values</c>), as a spec of the element type whose constraint members
/// are set; <paramref name="KeyRules"/>: the same for each key of a map. Numbers are kept as JSON text written with
/// the invariant culture, so that equality is exact and output deterministic.</summary>
internal sealed record ConfigFieldSpec(
    string PropertyName,
    string WireName,
    ConfigTypeSpec Type,
    bool Required,
    bool MustBePresent,
    string? DefaultJson,
    EquatableArray<string> OneOfJson,
    string? BetweenMinJson,
    string? BetweenMaxJson,
    string? GreaterThanJson,
    int LengthMin,
    int LengthMax,
    string? LuaPattern,
    string? Description,
    bool Referenceable,
    bool Encrypted,
    bool ElementsMayBeEmpty = false,
    bool CSharpRequired = false,
    bool ExplicitlyOptional = false,
    EquatableArray<string> Validators = default,
    ConfigFieldSpec? ElementRules = null,
    ConfigFieldSpec? KeyRules = null,
    bool KeysMayBeEmpty = false);
