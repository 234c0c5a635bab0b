using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using Kong.Pdk.Generators.Diagnostics;
using Kong.Pdk.Generators.Helpers;
using Kong.Pdk.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kong.Pdk.Generators.Analysis;

/// <summary>A problem found while building the configuration model. Only analyzers report these; the generator
/// drops them (and never lets a <see cref="Location"/> leave its transform).</summary>
internal sealed class ConfigProblem
{
    public ConfigProblem(DiagnosticDescriptor descriptor, Location? location, params object?[] arguments)
    {
        Descriptor = descriptor;
        Location = location;
        Arguments = arguments;
    }

    public DiagnosticDescriptor Descriptor { get; }
    public Location? Location { get; }
    public object?[] Arguments { get; }
}

/// <summary>
/// Maps configuration properties to schema fields (kong-protocol.md §2.5, §2.6). Used by the generator's transform
/// to build <see cref="RecordSpec"/> and by <c>ConfigPropertyAnalyzer</c> to report <see cref="Problems"/>, so the
/// schema and the diagnostics never disagree.
/// </summary>
internal sealed partial class ConfigModelBuilder
{
    private const long MaxSafeInteger = 9007199254740991; // 2^53 - 1

    /// <summary>Keys Kong adds to the configuration it sends (kong-protocol.md §4.3); a field cannot use them.</summary>
    private static readonly string[] ReservedFieldNames = { "route_id", "service_id", "consumer_id", "plugin_instance_name" };

    private readonly KnownSymbols _known;
    private readonly Func<SyntaxTree, SemanticModel?> _semanticModels;
    private readonly CancellationToken _cancellationToken;
    private readonly List<INamedTypeSymbol> _recordStack = new();

    public ConfigModelBuilder(KnownSymbols known, Func<SyntaxTree, SemanticModel?> semanticModels, CancellationToken cancellationToken)
    {
        _known = known;
        _semanticModels = semanticModels;
        _cancellationToken = cancellationToken;
    }

    public List<ConfigProblem> Problems { get; } = new();

    /// <summary>The public instance properties with a public getter and a public <c>set</c> or <c>init</c>.</summary>
    public static IEnumerable<IPropertySymbol> ConfigProperties(INamedTypeSymbol type)
    {
        foreach (ISymbol member in type.GetMembers())
        {
            if (member is IPropertySymbol
                {
                    IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public,
                    GetMethod.DeclaredAccessibility: Accessibility.Public,
                    SetMethod.DeclaredAccessibility: Accessibility.Public,
                } property)
            {
                yield return property;
            }
        }
    }

    public RecordSpec BuildRecord(INamedTypeSymbol type)
    {
        _recordStack.Add(type);
        var fields = new List<ConfigFieldSpec>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        bool useInitializer = false;
        foreach (IPropertySymbol property in ConfigProperties(type))
        {
            _cancellationToken.ThrowIfCancellationRequested();
            ConfigFieldSpec? field = BuildField(property);
            if (field is null)
            {
                continue;
            }

            if (names.TryGetValue(field.WireName, out string? other))
            {
                Problems.Add(new ConfigProblem(Descriptors.DuplicateFieldName, Where(property), field.WireName, property.Name, other));
                continue;
            }

            names.Add(field.WireName, property.Name);
            useInitializer |= property.SetMethod!.IsInitOnly || field.CSharpRequired;
            fields.Add(field);
        }

        if (!SetsRequiredMembers(type))
        {
            foreach (ISymbol member in type.GetMembers())
            {
                bool requiredMember = member is IPropertySymbol { IsRequired: true } or IFieldSymbol { IsRequired: true };
                if (requiredMember && !(member is IPropertySymbol p && fields.Any(f => f.PropertyName == p.Name)))
                {
                    Problems.Add(new ConfigProblem(Descriptors.UnsupportedConfigType, member.Locations.FirstOrDefault(), member.Name,
                        (member as IPropertySymbol)?.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)
                            ?? ((IFieldSymbol)member).Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
                        "it is a C# 'required' member but not a configuration property, so the generated binder cannot set it; make it a public property with a public setter, or remove 'required'"));
                }
            }
        }

        _recordStack.RemoveAt(_recordStack.Count - 1);
        return new RecordSpec(FullName(type), useInitializer, fields.ToEquatableArray());
    }

    private ConfigFieldSpec? BuildField(IPropertySymbol property)
    {
        string? error = null;
        if (IsObsoleteError(property))
        {
            Problems.Add(new ConfigProblem(Descriptors.UnsupportedConfigType, Where(property), property.Name,
                property.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
                "it is [Obsolete] as an error, so the generated binder cannot set it; remove it or make its setter non-public"));
            return null;
        }

        ConfigTypeSpec? type = MapType(property.Type, ref error);
        if (type is null)
        {
            Problems.Add(new ConfigProblem(Descriptors.UnsupportedConfigType, Where(property), property.Name,
                property.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat), error));
            return null;
        }

        ReportPrecision(property, type);

        string wireName = Naming.ToSnakeCase(property.Name);
        AttributeData? fieldAttribute = _known.Find(property, _known.Field);
        if (fieldAttribute is { ConstructorArguments.Length: 1 } && fieldAttribute.ConstructorArguments[0].Value is string overridden)
        {
            wireName = overridden;
        }

        string? nameProblem = CheckFieldName(wireName);
        if (nameProblem is not null)
        {
            Problems.Add(new ConfigProblem(Descriptors.InvalidFieldName, Where(fieldAttribute, property), wireName, property.Name, nameProblem));
            return null;
        }

        var field = new ConfigFieldSpec(property.Name, wireName, type, Required: false, MustBePresent: false, DefaultJson: null,
            OneOfJson: EquatableArray<string>.Empty, BetweenMinJson: null, BetweenMaxJson: null, GreaterThanJson: null,
            LengthMin: -1, LengthMax: -1, LuaPattern: null, Description: null, Referenceable: false, Encrypted: false);

        field = ApplyConstraints(property, field);
        var defaultChecks = new List<Func<string, string?>>();
        field = ApplyValidators(property, field, defaultChecks);

        // Default: the attribute wins over the initializer.
        ExpressionSyntax? initializer = Initializer(property);
        AttributeData? defaultAttribute = _known.Find(property, _known.Default);
        string? defaultJson = null;
        if (defaultAttribute is { ConstructorArguments.Length: 1 })
        {
            string? problem = null;
            defaultJson = ConstantToJson(defaultAttribute.ConstructorArguments[0], type, ref problem);
            if (defaultJson is null)
            {
                Problems.Add(new ConfigProblem(Descriptors.InvalidDefault, Where(defaultAttribute, property), property.Name, problem ?? "it is null"));
            }
        }
        else if (initializer is not null)
        {
            string? problem = null;
            defaultJson = ExpressionToJson(initializer, type, ref problem);
            if (problem is not null)
            {
                Problems.Add(new ConfigProblem(Descriptors.InvalidDefault, Where(property), property.Name, problem));
            }
        }

        // Kong gives a string field without len_min an implicit len_min = 1, which rejects an empty default (and the
        // whole schema). An author who writes an empty default means the field may be empty: say so with len_min 0.
        if (defaultJson is not null && field.LengthMin < 0 && type.Kind is ConfigKind.String or ConfigKind.Uri && defaultJson == "\"\"")
        {
            field = field with { LengthMin = 0 };
        }

        if (defaultJson is not null && type.Kind is ConfigKind.Array or ConfigKind.Set && type.Element!.Kind is ConfigKind.String or ConfigKind.Uri
            && ContainsEmptyString(defaultJson))
        {
            field = field with { ElementsMayBeEmpty = true };
        }

        if (defaultJson is not null)
        {
            string? violation = CheckDefault(defaultJson, type, field)
                ?? defaultChecks.Select(check => check(defaultJson)).FirstOrDefault(static v => v is not null);
            if (violation is not null)
            {
                Problems.Add(new ConfigProblem(Descriptors.InvalidDefault, Where(defaultAttribute, property), property.Name, violation));
                defaultJson = null;
            }
        }

        bool requiredAttribute = _known.Find(property, _known.Required) is not null;
        if (requiredAttribute && type.IsNullable)
        {
            Problems.Add(new ConfigProblem(Descriptors.InvalidConstraint, Where(_known.Find(property, _known.Required), property),
                "KongRequired", property.Name, "a nullable property cannot be required; remove '?' or the attribute"));
            requiredAttribute = false;
        }

        // Nullability decides 'required': a non-nullable field without a default must be given. Records never get a
        // default, so a non-nullable record is always required, which also makes Kong fill in its sub-defaults.
        // A C# 'required' member must be set by the binder: it is required in the schema too unless it is nullable, and,
        // as the binder cannot keep its initializer value, Kong must send it (Kong fills a schema default in).
        bool csharpRequired = property.IsRequired && !SetsRequiredMembers(property.ContainingType);
        bool required = requiredAttribute || (!type.IsNullable && defaultJson is null) || (csharpRequired && !type.IsNullable);

        // '= null!' and '= default!' give the property no value: a required field without one must be present.
        bool mustBePresent = required && defaultJson is null && (initializer is null || IsNullInitializer(initializer))
            || (csharpRequired && !type.IsNullable);

        // [KongOptional]: 'required: false' on a field that would be required; the property keeps its value when Kong
        // sends null or nothing, so it needs one.
        bool optional = false;
        if (property.GetAttributes().FirstOrDefault(static a => a.AttributeClass?.ToDisplayString() == "Kong.Pdk.KongOptionalAttribute") is { } optionalAttribute)
        {
            string? why = requiredAttribute ? "the property is also [KongRequired]"
                : csharpRequired ? "a C# 'required' member must come from the configuration"
                : type.IsNullable ? "a nullable property is optional already"
                : defaultJson is null && (initializer is null || IsNullInitializer(initializer)) && !type.TypeName.StartsWith("global::System.", StringComparison.Ordinal) && type.Kind is not (ConfigKind.Integer or ConfigKind.Number or ConfigKind.Boolean or ConfigKind.Enum or ConfigKind.Guid)
                    ? "give the property an initializer: it keeps it when Kong sends null or nothing"
                    : null;
            if (why is not null)
            {
                Problems.Add(new ConfigProblem(Descriptors.InvalidConstraint, Where(optionalAttribute, property), "KongOptional", property.Name, why));
            }
            else
            {
                optional = true;
                required = false;
                mustBePresent = false;
            }
        }

        return field with
        {
            Required = required, MustBePresent = mustBePresent, DefaultJson = defaultJson, CSharpRequired = csharpRequired,
            ExplicitlyOptional = optional,
        };
    }

    private static bool IsObsoleteError(IPropertySymbol property)
    {
        foreach (AttributeData attribute in property.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == "System.ObsoleteAttribute"
                && attribute.ConstructorArguments.Length == 2 && attribute.ConstructorArguments[1].Value is true)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The parameterless constructor says it sets every required member (<c>[SetsRequiredMembers]</c>).</summary>
    public static bool SetsRequiredMembers(INamedTypeSymbol type)
    {
        foreach (IMethodSymbol constructor in type.InstanceConstructors)
        {
            if (constructor.Parameters.IsEmpty
                && constructor.GetAttributes().Any(static a => a.AttributeClass?.Name == "SetsRequiredMembersAttribute"))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsNullInitializer(ExpressionSyntax expression)
    {
        while (true)
        {
            switch (expression)
            {
                case ParenthesizedExpressionSyntax parenthesized:
                    expression = parenthesized.Expression;
                    continue;
                case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression } bang:
                    expression = bang.Operand;
                    continue;
                case LiteralExpressionSyntax literal:
                    return literal.IsKind(SyntaxKind.NullLiteralExpression) || literal.IsKind(SyntaxKind.DefaultLiteralExpression);
                case DefaultExpressionSyntax:
                    return true;
                default:
                    return false;
            }
        }
    }

    private static bool ContainsEmptyString(string arrayJson)
        => arrayJson.IndexOf("[\"\"", StringComparison.Ordinal) >= 0 || arrayJson.IndexOf(",\"\"", StringComparison.Ordinal) >= 0;

    private void ReportPrecision(IPropertySymbol property, ConfigTypeSpec type)
    {
        ConfigTypeSpec? current = type;
        while (current is not null)
        {
            string? suggestion = current.Numeric switch
            {
                ClrNumeric.Int64 or ClrNumeric.UInt64 => "int",
                ClrNumeric.Decimal => "double",
                _ => null,
            };
            if (suggestion is not null)
            {
                Problems.Add(new ConfigProblem(Descriptors.PrecisionLoss, Where(property), property.Name,
                    property.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat), suggestion));
                return;
            }

            current = current.Element;
        }
    }

    private static string? CheckFieldName(string name)
    {
        if (name.Length == 0)
        {
            return "it is empty";
        }

        if (name.StartsWith("__", StringComparison.Ordinal))
        {
            return "names starting with '__' are reserved for the keys Kong adds";
        }

        if (Array.IndexOf(ReservedFieldNames, name) >= 0)
        {
            return "Kong adds a key of that name to the configuration it sends";
        }

        foreach (char c in name)
        {
            if (!(c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' or '-'))
            {
                return "use letters, digits, '_' and '-' only";
            }
        }

        return null;
    }

    // ---------------------------------------------------------------- types

    /// <param name="isElement">Elements of collections are nullable only when annotated (<c>List&lt;string?&gt;</c>):
    /// in a project without nullable annotations a property is optional, but its elements stay non-null (Kong's
    /// arrays cannot hold nil), and the generated collection type must match the declared one exactly.</param>
    private ConfigTypeSpec? MapType(ITypeSymbol type, ref string? error, bool isElement = false)
    {
        bool nullable = false;
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullableType)
        {
            type = nullableType.TypeArguments[0];
            nullable = true;
        }
        else if (type.IsReferenceType)
        {
            nullable = isElement
                ? type.NullableAnnotation == NullableAnnotation.Annotated
                : type.NullableAnnotation != NullableAnnotation.NotAnnotated;
        }

        ConfigTypeSpec? spec = MapNonNullable(type.WithNullableAnnotation(NullableAnnotation.NotAnnotated), ref error);
        return spec is null ? null : spec with { IsNullable = nullable };
    }

    private ConfigTypeSpec? MapNonNullable(ITypeSymbol type, ref string? error)
    {
        string name = FullName(type);
        ConfigTypeSpec Simple(ConfigKind kind, ClrNumeric numeric = ClrNumeric.None)
            => new(kind, name, false, numeric, CollectionShape.None, null, EquatableArray<EnumMemberSpec>.Empty, null);

        switch (type.SpecialType)
        {
            case SpecialType.System_String: return Simple(ConfigKind.String);
            case SpecialType.System_Boolean: return Simple(ConfigKind.Boolean);
            case SpecialType.System_SByte: return Simple(ConfigKind.Integer, ClrNumeric.SByte);
            case SpecialType.System_Byte: return Simple(ConfigKind.Integer, ClrNumeric.Byte);
            case SpecialType.System_Int16: return Simple(ConfigKind.Integer, ClrNumeric.Int16);
            case SpecialType.System_UInt16: return Simple(ConfigKind.Integer, ClrNumeric.UInt16);
            case SpecialType.System_Int32: return Simple(ConfigKind.Integer, ClrNumeric.Int32);
            case SpecialType.System_UInt32: return Simple(ConfigKind.Integer, ClrNumeric.UInt32);
            case SpecialType.System_Int64: return Simple(ConfigKind.Integer, ClrNumeric.Int64);
            case SpecialType.System_UInt64: return Simple(ConfigKind.Integer, ClrNumeric.UInt64);
            case SpecialType.System_Single: return Simple(ConfigKind.Number, ClrNumeric.Single);
            case SpecialType.System_Double: return Simple(ConfigKind.Number, ClrNumeric.Double);
            case SpecialType.System_Decimal: return Simple(ConfigKind.Number, ClrNumeric.Decimal);
            case SpecialType.System_Object: error = "'object' has no schema type; use a concrete type"; return null;
            case SpecialType.System_DateTime: error = "dates have no schema type; use a string or a number of seconds"; return null;
            case SpecialType.System_Char: error = "use 'string'"; return null;
            case SpecialType.System_IntPtr:
            case SpecialType.System_UIntPtr: error = "native integers have no schema type; use 'int' or 'long'"; return null;
        }

        if (type.TypeKind == TypeKind.Enum && type is INamedTypeSymbol enumType)
        {
            var members = new List<EnumMemberSpec>();
            foreach (ISymbol member in enumType.GetMembers())
            {
                if (member is IFieldSymbol { HasConstantValue: true } field)
                {
                    members.Add(new EnumMemberSpec(field.Name, Naming.ToSnakeCase(field.Name)));
                }
            }

            if (members.Count == 0)
            {
                error = "the enum has no members";
                return null;
            }

            for (int i = 0; i < members.Count; i++)
            {
                for (int j = 0; j < i; j++)
                {
                    if (members[i].WireName == members[j].WireName)
                    {
                        error = "its members '" + members[j].MemberName + "' and '" + members[i].MemberName + "' both have the schema name '"
                            + members[i].WireName + "', so Kong could not tell them apart; rename one";
                        return null;
                    }
                }
            }

            return Simple(ConfigKind.Enum) with { EnumMembers = members.ToEquatableArray() };
        }

        if (KnownSymbols.Is(type, _known.Guid))
        {
            return Simple(ConfigKind.Guid);
        }

        if (KnownSymbols.Is(type, _known.Uri))
        {
            return Simple(ConfigKind.Uri);
        }

        if (type is IArrayTypeSymbol array)
        {
            if (array.Rank != 1)
            {
                error = "multi-dimensional arrays have no schema type; use an array of arrays";
                return null;
            }

            if (array.ElementType.SpecialType == SpecialType.System_Byte)
            {
                error = "binary data has no schema type; use a base64 'string'";
                return null;
            }

            return Collection(ConfigKind.Array, CollectionShape.Array, name, array.ElementType, ref error);
        }

        if (type is INamedTypeSymbol { IsGenericType: true } generic)
        {
            INamedTypeSymbol definition = generic.OriginalDefinition;
            bool Is(INamedTypeSymbol? known) => known is not null && SymbolEqualityComparer.Default.Equals(definition, known);

            if (Is(_known.List) || Is(_known.IList) || Is(_known.ICollection) || Is(_known.IEnumerable)
                || Is(_known.IReadOnlyList) || Is(_known.IReadOnlyCollection))
            {
                return Collection(ConfigKind.Array, CollectionShape.List, name, generic.TypeArguments[0], ref error);
            }

            if (Is(_known.ImmutableArray))
            {
                return Collection(ConfigKind.Array, CollectionShape.ImmutableArray, name, generic.TypeArguments[0], ref error);
            }

            if (Is(_known.HashSet) || Is(_known.ISet) || Is(_known.IReadOnlySet))
            {
                return Collection(ConfigKind.Set, CollectionShape.HashSet, name, generic.TypeArguments[0], ref error);
            }

            if (Is(_known.Dictionary) || Is(_known.IDictionary) || Is(_known.IReadOnlyDictionary))
            {
                if (generic.TypeArguments[0].SpecialType != SpecialType.System_String)
                {
                    error = "map keys must be 'string'";
                    return null;
                }

                return Collection(ConfigKind.Map, CollectionShape.Dictionary, name, generic.TypeArguments[1], ref error);
            }

            error = "generic types other than arrays, lists, sets and string-keyed dictionaries have no schema type";
            return null;
        }

        return MapRecord(type, name, ref error);
    }

    private ConfigTypeSpec? Collection(ConfigKind kind, CollectionShape shape, string name, ITypeSymbol element, ref string? error)
    {
        ConfigTypeSpec? elementSpec = MapType(element, ref error, isElement: true);
        if (elementSpec is null)
        {
            error = "its element type '" + element.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + "' is not supported: " + error;
            return null;
        }

        return new ConfigTypeSpec(kind, name, false, ClrNumeric.None, shape, elementSpec, EquatableArray<EnumMemberSpec>.Empty, null);
    }

    private ConfigTypeSpec? MapRecord(ITypeSymbol type, string name, ref string? error)
    {
        if (type is not INamedTypeSymbol named || type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            error = type.TypeKind switch
            {
                TypeKind.Interface => "interfaces have no schema type; use a concrete class",
                TypeKind.TypeParameter => "type parameters have no schema type",
                TypeKind.Delegate => "delegates have no schema type",
                TypeKind.Dynamic => "'dynamic' has no schema type",
                _ => "the type has no schema type",
            };
            return null;
        }

        string? containingNamespace = named.ContainingNamespace?.ToDisplayString();
        if (containingNamespace is not null && (containingNamespace == "System" || containingNamespace.StartsWith("System.", StringComparison.Ordinal)))
        {
            error = "only string, bool, numbers, enums, Guid, Uri, collections and your own configuration classes are supported";
            return null;
        }

        if (named.IsAbstract || named.IsStatic)
        {
            error = "a configuration record must be a concrete class or struct";
            return null;
        }

        if (named.IsGenericType)
        {
            error = "generic configuration records are not supported";
            return null;
        }

        for (ISymbol? current = named; current is INamedTypeSymbol t; current = t.ContainingType)
        {
            if (t.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal))
            {
                error = "a configuration record must be public or internal";
                return null;
            }
        }

        if (named.TypeKind == TypeKind.Class && !named.InstanceConstructors.Any(static c =>
                c.Parameters.IsEmpty && c.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal))
        {
            error = "a configuration record needs a public parameterless constructor";
            return null;
        }

        foreach (INamedTypeSymbol open in _recordStack)
        {
            if (SymbolEqualityComparer.Default.Equals(open, named))
            {
                error = "the configuration record contains itself";
                return null;
            }
        }

        RecordSpec record = BuildRecord(named);
        return new ConfigTypeSpec(ConfigKind.Record, name, false, ClrNumeric.None, CollectionShape.None, null,
            EquatableArray<EnumMemberSpec>.Empty, record);
    }

    // ---------------------------------------------------------------- constraints

    private ConfigFieldSpec ApplyConstraints(IPropertySymbol property, ConfigFieldSpec field)
    {
        ConfigTypeSpec type = field.Type;
        bool numeric = type.Kind is ConfigKind.Integer or ConfigKind.Number;
        bool stringLike = type.Kind is ConfigKind.String;
        bool stringsOrStringCollection = stringLike
            || (type.Kind is ConfigKind.Array or ConfigKind.Set && type.Element!.Kind == ConfigKind.String);

        void Invalid(AttributeData attribute, string name, string why)
            => Problems.Add(new ConfigProblem(Descriptors.InvalidConstraint, Where(attribute, property), name, property.Name, why));

        // Integer fields always carry the CLR range (kong-protocol.md §2.5).
        double? min = null, max = null;
        if (type.Kind == ConfigKind.Integer)
        {
            (long lo, long hi) = IntegerRange(type.Numeric);
            min = lo;
            max = hi;
        }

        if (_known.Find(property, _known.Between) is { ConstructorArguments.Length: 2 } between)
        {
            double lo = Convert.ToDouble(between.ConstructorArguments[0].Value, CultureInfo.InvariantCulture);
            double hi = Convert.ToDouble(between.ConstructorArguments[1].Value, CultureInfo.InvariantCulture);
            if (!numeric)
            {
                Invalid(between, "KongBetween", "it applies to integer and number fields only");
            }
            else if (double.IsNaN(lo) || double.IsNaN(hi) || lo > hi)
            {
                Invalid(between, "KongBetween", "the minimum must not be greater than the maximum");
            }
            else if (type.Kind == ConfigKind.Integer)
            {
                double narrowedMin = Math.Max(min!.Value, Math.Ceiling(lo));
                double narrowedMax = Math.Min(max!.Value, Math.Floor(hi));
                if (narrowedMin > narrowedMax)
                {
                    Invalid(between, "KongBetween", "the range holds no value of the property's type");
                }
                else
                {
                    min = narrowedMin;
                    max = narrowedMax;
                }
            }
            else
            {
                min = lo;
                max = hi;
            }
        }

        if (min is not null && max is not null)
        {
            field = field with { BetweenMinJson = JsonText.Number(min.Value), BetweenMaxJson = JsonText.Number(max.Value) };
        }

        if (_known.Find(property, _known.GreaterThan) is { ConstructorArguments.Length: 1 } gt)
        {
            double value = Convert.ToDouble(gt.ConstructorArguments[0].Value, CultureInfo.InvariantCulture);
            if (!numeric)
            {
                Invalid(gt, "KongGreaterThan", "it applies to integer and number fields only");
            }
            else if (JsonText.Number(value) is string json)
            {
                field = field with { GreaterThanJson = json };
            }
            else
            {
                Invalid(gt, "KongGreaterThan", "the bound must be a finite number");
            }
        }

        if (_known.Find(property, _known.OneOf) is { ConstructorArguments.Length: 1 } oneOf)
        {
            if (!(stringLike || numeric))
            {
                Invalid(oneOf, "KongOneOf", type.Kind == ConfigKind.Enum
                    ? "enum fields get 'one_of' from their members"
                    : "it applies to string, integer and number fields only");
            }
            else
            {
                var values = new List<string>();
                string? problem = null;
                foreach (TypedConstant item in oneOf.ConstructorArguments[0].Values)
                {
                    string? json = ConstantToJson(item, type, ref problem);
                    if (json is null)
                    {
                        break;
                    }

                    values.Add(json);
                }

                if (problem is not null || values.Count == 0)
                {
                    Invalid(oneOf, "KongOneOf", problem ?? "give at least one value");
                }
                else
                {
                    field = field with { OneOfJson = values.ToEquatableArray() };
                }
            }
        }

        if (_known.Find(property, _known.Length) is { } length)
        {
            int lengthMin = -1, lengthMax = -1;
            foreach (KeyValuePair<string, TypedConstant> argument in length.NamedArguments)
            {
                if (argument.Value.Value is int value)
                {
                    if (argument.Key == "Min")
                    {
                        lengthMin = value;
                    }
                    else if (argument.Key == "Max")
                    {
                        lengthMax = value;
                    }
                }
            }

            if (!(stringLike || type.Kind is ConfigKind.Array or ConfigKind.Set or ConfigKind.Map))
            {
                Invalid(length, "KongLength", "it applies to string, array, set and map fields only");
            }
            else if (lengthMin < -1 || lengthMax < -1 || (lengthMin == -1 && lengthMax == -1))
            {
                Invalid(length, "KongLength", "set Min, Max or both to a value of 0 or more");
            }
            else if (lengthMax >= 0 && lengthMin > lengthMax)
            {
                Invalid(length, "KongLength", "Min must not be greater than Max");
            }
            else
            {
                field = field with { LengthMin = lengthMin, LengthMax = lengthMax };
            }
        }

        if (_known.Find(property, _known.LuaPattern) is { ConstructorArguments.Length: 1 } pattern)
        {
            if (!stringLike)
            {
                Invalid(pattern, "KongLuaPattern", "it applies to string fields only");
            }
            else if (pattern.ConstructorArguments[0].Value is not string { Length: > 0 } text)
            {
                Invalid(pattern, "KongLuaPattern", "the pattern is empty");
            }
            else if (LuaPattern.Check(text) is { } patternError)
            {
                Invalid(pattern, "KongLuaPattern", "'" + text + "' is not a valid Lua pattern: " + patternError);
            }
            else
            {
                field = field with { LuaPattern = text };
            }
        }

        if (_known.Find(property, _known.Description) is { ConstructorArguments.Length: 1 } description)
        {
            string text = description.ConstructorArguments[0].Value as string ?? string.Empty;
            if (text.Length is < 10 or > 500)
            {
                Problems.Add(new ConfigProblem(Descriptors.DescriptionLength, Where(description, property), property.Name, text.Length));
            }
            else
            {
                field = field with { Description = text };
            }
        }

        if (_known.Find(property, _known.Referenceable) is { } referenceable)
        {
            if (!stringsOrStringCollection)
            {
                Invalid(referenceable, "KongReferenceable", "it applies to string fields and arrays or sets of strings only");
            }
            else
            {
                field = field with { Referenceable = true };
            }
        }

        if (_known.Find(property, _known.Encrypted) is { } encrypted)
        {
            if (!stringsOrStringCollection)
            {
                Invalid(encrypted, "KongEncrypted", "it applies to string fields and arrays or sets of strings only");
            }
            else
            {
                field = field with { Encrypted = true };
            }
        }

        return field;
    }

    public static (long Min, long Max) IntegerRange(ClrNumeric numeric) => numeric switch
    {
        ClrNumeric.SByte => (sbyte.MinValue, sbyte.MaxValue),
        ClrNumeric.Byte => (byte.MinValue, byte.MaxValue),
        ClrNumeric.Int16 => (short.MinValue, short.MaxValue),
        ClrNumeric.UInt16 => (ushort.MinValue, ushort.MaxValue),
        ClrNumeric.Int32 => (int.MinValue, int.MaxValue),
        ClrNumeric.UInt32 => (uint.MinValue, uint.MaxValue),
        ClrNumeric.UInt64 => (0, MaxSafeInteger),
        _ => (-MaxSafeInteger, MaxSafeInteger),
    };

    // ---------------------------------------------------------------- defaults

    /// <summary>Checks a default against the field's own constraints (kong-protocol.md §2.5).</summary>
    private static string? CheckDefault(string json, ConfigTypeSpec type, ConfigFieldSpec field)
    {
        if (type.Kind is ConfigKind.Integer or ConfigKind.Number)
        {
            double value = JsonText.ParseNumber(json);
            if (field.BetweenMinJson is not null && (value < JsonText.ParseNumber(field.BetweenMinJson) || value > JsonText.ParseNumber(field.BetweenMaxJson!)))
            {
                return "it is outside [" + field.BetweenMinJson + ", " + field.BetweenMaxJson + "]";
            }

            if (field.GreaterThanJson is not null && !(value > JsonText.ParseNumber(field.GreaterThanJson)))
            {
                return "it is not greater than " + field.GreaterThanJson;
            }
        }

        if (!field.OneOfJson.IsEmpty && !field.OneOfJson.Contains(json))
        {
            return "it is not one of " + string.Join(", ", field.OneOfJson);
        }

        if (field.LuaPattern is not null && type.Kind is ConfigKind.String && LuaPattern.IsMatch(UnquoteSimple(json), field.LuaPattern) == false)
        {
            return "it does not match the Lua pattern '" + field.LuaPattern + "'";
        }

        if (field.LengthMin >= 0 || field.LengthMax >= 0)
        {
            int length = type.Kind == ConfigKind.String ? Encoding.UTF8.GetByteCount(UnquoteSimple(json)) : CountJsonItems(json);
            if ((field.LengthMin >= 0 && length < field.LengthMin) || (field.LengthMax >= 0 && length > field.LengthMax))
            {
                return "its length " + length.ToString(CultureInfo.InvariantCulture) + " is outside the KongLength limits";
            }
        }

        return null;
    }

    private static string UnquoteSimple(string json)
    {
        // Only used for a length check: escapes count as the character they stand for.
        string inner = json.Substring(1, json.Length - 2);
        return inner.Replace("\\\"", "\"").Replace("\\\\", "\\").Replace("\\n", "\n").Replace("\\r", "\r").Replace("\\t", "\t");
    }

    private static int CountJsonItems(string json)
    {
        if (json is "[]" or "{}")
        {
            return 0;
        }

        // Defaults of collections are written by this class: items are separated by "," at depth 1 and strings
        // never contain an unescaped quote.
        int depth = 0, count = 1;
        bool inString = false;
        for (int i = 0; i < json.Length; i++)
        {
            char c = json[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (c is '[' or '{')
            {
                depth++;
            }
            else if (c is ']' or '}')
            {
                depth--;
            }
            else if (c == ',' && depth == 1)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>A <c>[KongDefault]</c> or <c>[KongOneOf]</c> value as JSON, or <see langword="null"/> with
    /// <paramref name="problem"/> set.</summary>
    private static string? ConstantToJson(TypedConstant constant, ConfigTypeSpec type, ref string? problem)
    {
        if (constant.Kind == TypedConstantKind.Array)
        {
            if (type.Kind is not (ConfigKind.Array or ConfigKind.Set))
            {
                problem = "an array is not a value of this field";
                return null;
            }

            var items = new List<string>();
            foreach (TypedConstant item in constant.Values)
            {
                string? json = ConstantToJson(item, type.Element!, ref problem);
                if (json is null)
                {
                    return null;
                }

                items.Add(json);
            }

            return "[" + string.Join(",", items) + "]";
        }

        if (constant.IsNull)
        {
            problem = "null is not a default; make the property nullable and leave the default out";
            return null;
        }

        if (constant.Kind == TypedConstantKind.Enum)
        {
            if (type.Kind == ConfigKind.Enum && type.TypeName == FullName(constant.Type!))
            {
                string? member = EnumMemberByValue(constant.Type!, constant.Value, type);
                if (member is not null)
                {
                    return member;
                }
            }

            problem = "expected a value of the field's type";
            return null;
        }

        return ValueToJson(constant.Value, type, ref problem);
    }

    private static string? EnumMemberByValue(ITypeSymbol enumType, object? value, ConfigTypeSpec type)
    {
        foreach (ISymbol member in enumType.GetMembers())
        {
            if (member is IFieldSymbol { HasConstantValue: true } field && Equals(field.ConstantValue, value))
            {
                foreach (EnumMemberSpec spec in type.EnumMembers)
                {
                    if (spec.MemberName == field.Name)
                    {
                        return JsonText.String(spec.WireName);
                    }
                }
            }
        }

        return null;
    }

    private static string? ValueToJson(object? value, ConfigTypeSpec type, ref string? problem)
    {
        switch (type.Kind)
        {
            case ConfigKind.String:
            case ConfigKind.Uri:
                if (value is string s)
                {
                    return JsonText.String(s);
                }

                problem = "expected a string";
                return null;
            case ConfigKind.Guid:
                if (value is string g && System.Guid.TryParse(g, out Guid guid))
                {
                    return JsonText.String(guid.ToString("D"));
                }

                problem = "expected a GUID string";
                return null;
            case ConfigKind.Boolean:
                if (value is bool b)
                {
                    return b ? "true" : "false";
                }

                problem = "expected true or false";
                return null;
            case ConfigKind.Enum:
                if (value is string name)
                {
                    foreach (EnumMemberSpec member in type.EnumMembers)
                    {
                        if (member.WireName == name || member.MemberName == name)
                        {
                            return JsonText.String(member.WireName);
                        }
                    }
                }

                problem = "expected one of " + string.Join(", ", type.EnumMembers.Select(static m => "'" + m.WireName + "'"));
                return null;
            case ConfigKind.Integer:
                switch (value)
                {
                    case sbyte or byte or short or ushort or int or uint or long:
                        long l = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                        return JsonText.Integer(l);
                    case ulong ul when ul <= long.MaxValue:
                        return JsonText.Integer((long)ul);
                    case double d when Math.Floor(d) == d && Math.Abs(d) <= MaxSafeInteger:
                        return JsonText.Integer((long)d);
                    case float f when Math.Floor(f) == f && Math.Abs(f) <= MaxSafeInteger:
                        return JsonText.Integer((long)f);
                    case decimal m when decimal.Floor(m) == m && Math.Abs(m) <= MaxSafeInteger:
                        return JsonText.Integer((long)m);
                }

                problem = "expected a whole number";
                return null;
            case ConfigKind.Number:
                string? number = value switch
                {
                    sbyte or byte or short or ushort or int or uint or long or ulong => JsonText.Number(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
                    float f => JsonText.Single(f),
                    double d => JsonText.Number(d),
                    decimal m => JsonText.Decimal(m),
                    _ => null,
                };
                if (number is null)
                {
                    problem = "expected a finite number";
                }

                return number;
            default:
                problem = "arrays, sets, maps and records take their default from an empty initializer ('= []') only";
                return null;
        }
    }

    private ExpressionSyntax? Initializer(IPropertySymbol property)
    {
        foreach (SyntaxReference reference in property.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(_cancellationToken) is PropertyDeclarationSyntax { Initializer.Value: { } value })
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The default that a property initializer stands for: a constant, an enum member or a collection of
    /// constants. Anything else (a method call, <c>new()</c> of a record) gives no default.</summary>
    private string? ExpressionToJson(ExpressionSyntax expression, ConfigTypeSpec type, ref string? problem)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        if (expression is PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression } bang)
        {
            expression = bang.Operand;
        }

        if (type.Kind is ConfigKind.Array or ConfigKind.Set or ConfigKind.Map)
        {
            IEnumerable<ExpressionSyntax>? items = CollectionItems(expression);
            if (items is null)
            {
                return null;
            }

            var json = new List<string>();
            foreach (ExpressionSyntax item in items)
            {
                if (type.Kind == ConfigKind.Map)
                {
                    return null; // only an empty map is a constant default
                }

                string? itemJson = ExpressionToJson(item, type.Element!, ref problem);
                if (itemJson is null)
                {
                    return null;
                }

                json.Add(itemJson);
            }

            return type.Kind == ConfigKind.Map ? "{}" : "[" + string.Join(",", json) + "]";
        }

        if (type.Kind == ConfigKind.Record)
        {
            return null;
        }

        SemanticModel? model = _semanticModels(expression.SyntaxTree);
        if (model is null)
        {
            return null;
        }

        Optional<object?> constant = model.GetConstantValue(expression, _cancellationToken);
        if (!constant.HasValue || constant.Value is null)
        {
            return null;
        }

        if (type.Kind == ConfigKind.Enum)
        {
            ITypeSymbol? enumType = model.GetTypeInfo(expression, _cancellationToken).Type;
            string? member = enumType is null ? null : EnumMemberByValue(enumType, constant.Value, type);
            if (member is null && enumType is not null)
            {
                // A [Flags] combination (A | B) or an undefined value is not one string of the field's one_of.
                problem = "the value " + Convert.ToString(constant.Value, CultureInfo.InvariantCulture) + " of '" + enumType.Name
                    + "' is not a single member, and a Kong string field holds one member name"
                    + (enumType.GetAttributes().Any(static a => a.AttributeClass?.Name == "FlagsAttribute")
                        ? "; for a combination of [Flags] members use a set of the enum (HashSet<" + enumType.Name + ">)"
                        : string.Empty);
            }

            return member;
        }

        string? ignored = null;
        return ValueToJson(constant.Value, type, ref ignored);
    }

    private static IEnumerable<ExpressionSyntax>? CollectionItems(ExpressionSyntax expression)
    {
        switch (expression)
        {
            case CollectionExpressionSyntax collection:
                var items = new List<ExpressionSyntax>();
                foreach (CollectionElementSyntax element in collection.Elements)
                {
                    if (element is not ExpressionElementSyntax item)
                    {
                        return null;
                    }

                    items.Add(item.Expression);
                }

                return items;
            case BaseObjectCreationExpressionSyntax creation when creation.ArgumentList is null or { Arguments.Count: 0 }:
                if (creation.Initializer is null)
                {
                    return Array.Empty<ExpressionSyntax>();
                }

                return creation.Initializer.IsKind(SyntaxKind.CollectionInitializerExpression)
                    && creation.Initializer.Expressions.All(static e => e is not InitializerExpressionSyntax)
                    ? creation.Initializer.Expressions
                    : null;
            case ImplicitArrayCreationExpressionSyntax implicitArray:
                return implicitArray.Initializer.Expressions;
            case ArrayCreationExpressionSyntax arrayCreation:
                if (arrayCreation.Initializer is not null)
                {
                    return arrayCreation.Initializer.Expressions;
                }

                return arrayCreation.Type.RankSpecifiers.Count == 1
                    && arrayCreation.Type.RankSpecifiers[0].Sizes is { Count: 1 } sizes
                    && sizes[0] is LiteralExpressionSyntax { Token.ValueText: "0" }
                    ? Array.Empty<ExpressionSyntax>()
                    : null;
            case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Empty" }, ArgumentList.Arguments.Count: 0 }:
                return Array.Empty<ExpressionSyntax>(); // Array.Empty<T>()
            case MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Empty" }:
                return Array.Empty<ExpressionSyntax>(); // ImmutableArray<T>.Empty
            default:
                return null;
        }
    }

    // ---------------------------------------------------------------- helpers

    public static string FullName(ITypeSymbol type)
        => type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(FullyQualified);

    public static readonly SymbolDisplayFormat FullyQualified = SymbolDisplayFormat.FullyQualifiedFormat
        .WithMiscellaneousOptions(
            SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers
            | SymbolDisplayMiscellaneousOptions.UseSpecialTypes
            | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static Location? Where(IPropertySymbol property) => property.Locations.FirstOrDefault();

    private Location? Where(AttributeData? attribute, IPropertySymbol property)
        => attribute?.ApplicationSyntaxReference?.GetSyntax(_cancellationToken).GetLocation() ?? Where(property);
}
