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

/// <summary>Defaults: from [KongDefault] or the property initializer, as JSON, checked against the field.</summary>
internal sealed partial class ConfigModelBuilder
{
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

    private static int CountJsonItems(string json) => JsonItems(json).Count;

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

    /// <summary>The default that a property initializer stands for: a constant, an enum member, a collection of
    /// constants or a map of constant keys and values (ConfigModelBuilder.MapDefaults.cs). Anything else (a method call, <c>new()</c> of a record) gives no default.</summary>
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

        if (type.Kind == ConfigKind.Map)
        {
            return MapToJson(expression, type, ref problem);
        }

        if (type.Kind is ConfigKind.Array or ConfigKind.Set)
        {
            IEnumerable<ExpressionSyntax>? items = CollectionItems(expression);
            if (items is null)
            {
                return null;
            }

            var json = new List<string>();
            foreach (ExpressionSyntax item in items)
            {
                string? itemJson = ExpressionToJson(item, type.Element!, ref problem);
                if (itemJson is null)
                {
                    return null;
                }

                json.Add(itemJson);
            }

            return "[" + string.Join(",", json) + "]";
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
}
