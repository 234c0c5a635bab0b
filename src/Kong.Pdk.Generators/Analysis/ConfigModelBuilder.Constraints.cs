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

/// <summary>The basic constraint attributes: between, gt, one_of, len_min/len_max, match, description, referenceable, encrypted.</summary>
internal sealed partial class ConfigModelBuilder
{
    /// <param name="attributes">The property's attributes for one target (the field, or its elements, keys or values).</param>
    private ConfigFieldSpec ApplyConstraints(IPropertySymbol property, IReadOnlyList<AttributeData> attributes, ConfigFieldSpec field)
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

        if (Find(attributes, _known.Between) is { ConstructorArguments.Length: 2 } between)
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

        if (Find(attributes, _known.GreaterThan) is { ConstructorArguments.Length: 1 } gt)
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

        if (Find(attributes, _known.OneOf) is { ConstructorArguments.Length: 1 } oneOf)
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

        if (Find(attributes, _known.Length) is { } length)
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

        if (Find(attributes, _known.LuaPattern) is { ConstructorArguments.Length: 1 } pattern)
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

        if (Find(attributes, _known.Description) is { ConstructorArguments.Length: 1 } description)
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

        if (Find(attributes, _known.Referenceable) is { } referenceable)
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

        if (Find(attributes, _known.Encrypted) is { } encrypted)
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

    private static AttributeData? Find(IReadOnlyList<AttributeData> attributes, INamedTypeSymbol? attributeClass)
    {
        if (attributeClass is null)
        {
            return null;
        }

        foreach (AttributeData attribute in attributes)
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeClass))
            {
                return attribute;
            }
        }

        return null;
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
}
