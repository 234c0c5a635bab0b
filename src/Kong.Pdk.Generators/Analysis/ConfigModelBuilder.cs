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

        List<AttributeData>[] attributes = AttributesByTarget(property);
        field = ApplyConstraints(property, attributes[TargetField], field);
        var defaultChecks = new List<Func<string, string?>>();
        field = ApplyValidators(property, attributes[TargetField], field, defaultChecks);
        NestedRules nested = ApplyNestedRules(property, field, attributes);
        field = field with { ElementRules = nested.Elements, KeyRules = nested.Keys };

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

        // The same for a map default's keys (strings) and string values.
        if (defaultJson is not null && type.Kind == ConfigKind.Map)
        {
            List<(string Key, string Value)> entries = JsonEntries(defaultJson);
            if (entries.Any(static e => e.Key == "\"\""))
            {
                field = field with { KeysMayBeEmpty = true };
            }

            if (type.Element!.Kind is ConfigKind.String or ConfigKind.Uri && entries.Any(static e => e.Value == "\"\""))
            {
                field = field with { ElementsMayBeEmpty = true };
            }
        }

        if (defaultJson is not null)
        {
            string? violation = CheckDefault(defaultJson, type, field)
                ?? defaultChecks.Select(check => check(defaultJson)).FirstOrDefault(static v => v is not null)
                ?? CheckNestedDefault(defaultJson, field, nested);
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

        return ApplySchemaJson(property, field with
        {
            Required = required, MustBePresent = mustBePresent, DefaultJson = defaultJson, CSharpRequired = csharpRequired,
            ExplicitlyOptional = optional,
        });
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
