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

/// <summary>Type mapping: CLR types to Kong schema types (kong-protocol.md §2.5).</summary>
internal sealed partial class ConfigModelBuilder
{
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
}
