using System;
using System.Collections.Generic;
using System.Linq;
using Kong.Pdk.Generators.Helpers;
using Kong.Pdk.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kong.Pdk.Generators.Analysis;

/// <summary>Map defaults: a dictionary initializer with constant keys and values is the field's default, a JSON
/// object in declaration order (<c>new() { ["a"] = 1 }</c>, <c>new() { { "a", 1 } }</c>, <c>[]</c>). An initializer
/// with entries the generator cannot read at compile time is KONG0102 rather than a silently missing default.</summary>
internal sealed partial class ConfigModelBuilder
{
    /// <summary>The JSON object a map initializer stands for; <see langword="null"/> without a problem when the
    /// expression is not an initializer (<c>= Compute()</c> gives no default, as for lists), with
    /// <paramref name="problem"/> set when it is one whose entries are not all constants.</summary>
    private string? MapToJson(ExpressionSyntax expression, ConfigTypeSpec type, ref string? problem)
    {
        List<(ExpressionSyntax Key, ExpressionSyntax Value)> entries;
        switch (expression)
        {
            case CollectionExpressionSyntax collection:
                if (collection.Elements.Count == 0)
                {
                    return "{}";
                }

                problem = "a collection expression with elements is not a map default the generator can read; write the entries as an initializer: new() { [\"key\"] = value }";
                return null;
            case BaseObjectCreationExpressionSyntax creation:
                if (creation.ArgumentList is { Arguments.Count: > 0 } arguments && !OnlyComparerOrCapacity(arguments))
                {
                    // A copy of another dictionary: its content is not known at compile time.
                    if (creation.Initializer is { Expressions.Count: > 0 })
                    {
                        problem = "the constructor takes entries from another dictionary, which are not known at compile time, so the initializer cannot be the schema default; use new() with constant entries, or build the dictionary in a method (= DefaultMap()) for no schema default";
                    }

                    return null;
                }

                if (creation.Initializer is null || creation.Initializer.Expressions.Count == 0)
                {
                    return "{}";
                }

                List<(ExpressionSyntax, ExpressionSyntax)>? read = InitializerEntries(creation.Initializer);
                if (read is null)
                {
                    problem = "the map initializer has an entry that is neither [key] = value nor { key, value }";
                    return null;
                }

                entries = read;
                break;
            default:
                return MapEmpty(expression) ? "{}" : null;
        }

        SemanticModel? model = _semanticModels(expression.SyntaxTree);
        if (model is null)
        {
            return null;
        }

        var json = new List<string>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach ((ExpressionSyntax keyExpression, ExpressionSyntax valueExpression) in entries)
        {
            if (model.GetConstantValue(keyExpression, _cancellationToken) is not { HasValue: true, Value: string key })
            {
                problem = "the map key '" + keyExpression + "' is not a compile-time constant string, so the initializer cannot be the schema default; use constant keys and values, or build the dictionary in a method (= DefaultMap()) for no schema default";
                return null;
            }

            if (!keys.Add(key))
            {
                problem = "the map key " + JsonText.String(key) + " is given twice";
                return null;
            }

            if (IsNullInitializer(valueExpression))
            {
                problem = "the value for the key " + JsonText.String(key) + " is null, which a Kong map default cannot hold; leave the entry out";
                return null;
            }

            string? valueProblem = null;
            string? value = ExpressionToJson(valueExpression, type.Element!, ref valueProblem);
            if (value is null)
            {
                problem = "the value for the key " + JsonText.String(key) + " "
                    + (valueProblem is null
                        ? "is not a compile-time constant, so the initializer cannot be the schema default; use constant keys and values, or build the dictionary in a method (= DefaultMap()) for no schema default"
                        : "is invalid: " + valueProblem);
                return null;
            }

            json.Add(JsonText.String(key) + ":" + value);
        }

        return "{" + string.Join(",", json) + "}";
    }

    private static List<(ExpressionSyntax, ExpressionSyntax)>? InitializerEntries(InitializerExpressionSyntax initializer)
    {
        var entries = new List<(ExpressionSyntax, ExpressionSyntax)>();
        foreach (ExpressionSyntax entry in initializer.Expressions)
        {
            switch (entry)
            {
                // new() { ["a"] = 1 }
                case AssignmentExpressionSyntax { Left: ImplicitElementAccessSyntax { ArgumentList.Arguments: { Count: 1 } index } } assignment
                    when initializer.IsKind(SyntaxKind.ObjectInitializerExpression):
                    entries.Add((index[0].Expression, assignment.Right));
                    break;

                // new() { { "a", 1 } }
                case InitializerExpressionSyntax { Expressions.Count: 2 } pair
                    when initializer.IsKind(SyntaxKind.CollectionInitializerExpression) && pair.IsKind(SyntaxKind.ComplexElementInitializerExpression):
                    entries.Add((pair.Expressions[0], pair.Expressions[1]));
                    break;
                default:
                    return null;
            }
        }

        return entries;
    }

    /// <summary>Constructor arguments that do not add entries: a capacity or a key comparer.</summary>
    private bool OnlyComparerOrCapacity(ArgumentListSyntax arguments)
    {
        SemanticModel? model = _semanticModels(arguments.SyntaxTree);
        if (model is null)
        {
            return false;
        }

        return arguments.Arguments.All(argument => model.GetTypeInfo(argument.Expression, _cancellationToken).Type is { } type
            && (type.SpecialType == SpecialType.System_Int32
                || type.AllInterfaces.Append(type as INamedTypeSymbol).Any(static i => i is { Name: "IEqualityComparer", IsGenericType: true })));
    }

    /// <summary><c>ImmutableDictionary&lt;string, T&gt;.Empty</c> and the like.</summary>
    private static bool MapEmpty(ExpressionSyntax expression)
        => expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Empty" }
            or InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Empty" }, ArgumentList.Arguments.Count: 0 };
}
