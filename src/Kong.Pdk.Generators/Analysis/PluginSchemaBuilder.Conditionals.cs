using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Kong.Pdk.Generators.Diagnostics;
using Kong.Pdk.Generators.Helpers;
using Kong.Pdk.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Kong.Pdk.Generators.Analysis;

/// <summary>The entity checks whose argument is a record (<c>kong/db/schema/metaschema.lua</c>): <c>conditional</c>,
/// <c>conditional_at_least_one_of</c> and <c>mutually_exclusive_sets</c>, with their conditions checked against the
/// fields they apply to (<see cref="MetaschemaRules"/>).</summary>
internal sealed partial class PluginSchemaBuilder
{
    /// <summary>The JSON of a record-valued entity check, or <see langword="null"/> when <paramref name="attribute"/> is
    /// not one or is invalid (then a problem is reported).</summary>
    private string? ConditionalCheck(AttributeData attribute, string attributeName, INamedTypeSymbol plugin, RecordSpec config)
    {
        string shortName = attributeName.Substring(0, attributeName.Length - "Attribute".Length);
        var problems = new List<string>();
        string? json = attributeName switch
        {
            "KongConditionalAttribute" => Conditional(attribute, config, problems),
            "KongConditionalAtLeastOneOfAttribute" => ConditionalAtLeastOneOf(attribute, config, problems),
            "KongMutuallyExclusiveSetsAttribute" => MutuallyExclusiveSets(attribute, config, problems),
            _ => string.Empty,
        };
        if (json is { Length: 0 })
        {
            return null;
        }

        if (problems.Count > 0)
        {
            Problems.Add(new ConfigProblem(Descriptors.InvalidPluginSchema, Where(attribute, plugin), shortName, plugin.Name, problems[0]));
            return null;
        }

        return json;
    }

    private static string? Conditional(AttributeData attribute, RecordSpec config, List<string> problems)
    {
        if (attribute.ConstructorArguments.Length != 4)
        {
            return null;
        }

        string ifField = Text(attribute.ConstructorArguments[0]);
        string thenField = Text(attribute.ConstructorArguments[2]);
        string? ifMatch = Condition(config, ifField, Text(attribute.ConstructorArguments[1]), "the if condition", problems);
        string? thenMatch = Condition(config, thenField, Text(attribute.ConstructorArguments[3]), "the then condition", problems);
        string? thenErr = ErrorText(attribute, "ThenErr", problems);
        if (problems.Count == 0 && ifField == thenField)
        {
            problems.Add("the if field and the then field are the same field");
        }

        var json = new StringBuilder("{\"conditional\":{\"if_field\":").Append(JsonText.String("config." + ifField))
            .Append(",\"if_match\":").Append(ifMatch)
            .Append(",\"then_field\":").Append(JsonText.String("config." + thenField))
            .Append(",\"then_match\":").Append(thenMatch);
        if (thenErr is not null)
        {
            json.Append(",\"then_err\":").Append(JsonText.String(thenErr));
        }

        return json.Append("}}").ToString();
    }

    private static string? ConditionalAtLeastOneOf(AttributeData attribute, RecordSpec config, List<string> problems)
    {
        if (attribute.ConstructorArguments.Length != 3)
        {
            return null;
        }

        string ifField = Text(attribute.ConstructorArguments[0]);
        string? ifMatch = Condition(config, ifField, Text(attribute.ConstructorArguments[1]), "the if condition", problems);
        List<string> then = FieldList(config, attribute.ConstructorArguments[2].Values.Select(Text).ToList(), "the then fields", problems);
        string? thenErr = ErrorText(attribute, "ThenErr", problems);
        string? elseMatchText = Named(attribute, "ElseMatch") is { IsNull: false } elseConstant ? Text(elseConstant) : null;
        TypedConstant elseFields = Named(attribute, "ElseThenAtLeastOneOf");
        string? elseThenErr = ErrorText(attribute, "ElseThenErr", problems);
        string? elseMatch = null;
        List<string>? elseThen = null;
        if (elseMatchText is null)
        {
            if (!elseFields.IsNull && elseFields.Kind == TypedConstantKind.Array || elseThenErr is not null)
            {
                problems.Add("ElseThenAtLeastOneOf and ElseThenErr need an ElseMatch");
            }
        }
        else
        {
            elseMatch = Condition(config, ifField, elseMatchText, "the else condition", problems);
            if (elseFields.IsNull || elseFields.Kind != TypedConstantKind.Array)
            {
                problems.Add("an ElseMatch needs ElseThenAtLeastOneOf, the fields of which one must be set when it holds");
            }
            else
            {
                elseThen = FieldList(config, elseFields.Values.Select(Text).ToList(), "the else fields", problems);
            }
        }

        var json = new StringBuilder("{\"conditional_at_least_one_of\":{\"if_field\":").Append(JsonText.String("config." + ifField))
            .Append(",\"if_match\":").Append(ifMatch)
            .Append(",\"then_at_least_one_of\":").Append(Paths(then));
        if (thenErr is not null)
        {
            json.Append(",\"then_err\":").Append(JsonText.String(thenErr));
        }

        if (elseMatch is not null && elseThen is not null)
        {
            json.Append(",\"else_match\":").Append(elseMatch).Append(",\"else_then_at_least_one_of\":").Append(Paths(elseThen));
            if (elseThenErr is not null)
            {
                json.Append(",\"else_then_err\":").Append(JsonText.String(elseThenErr));
            }
        }

        return json.Append("}}").ToString();
    }

    private static string? MutuallyExclusiveSets(AttributeData attribute, RecordSpec config, List<string> problems)
    {
        if (attribute.ConstructorArguments.Length != 2)
        {
            return null;
        }

        List<string> set1 = FieldList(config, attribute.ConstructorArguments[0].Values.Select(Text).ToList(), "set1", problems);
        List<string> set2 = FieldList(config, attribute.ConstructorArguments[1].Values.Select(Text).ToList(), "set2", problems);
        if (set1.Intersect(set2, StringComparer.Ordinal).FirstOrDefault() is { } both)
        {
            problems.Add("'" + both + "' is in both sets");
        }

        return "{\"mutually_exclusive_sets\":{\"set1\":" + Paths(set1) + ",\"set2\":" + Paths(set2) + "}}";
    }

    /// <summary>A condition on <paramref name="path"/> as compact JSON, checked against the field's type.</summary>
    private static string? Condition(RecordSpec config, string path, string text, string what, List<string> problems)
    {
        if (Find(config, path, out ConfigFieldSpec? field) is { } missing)
        {
            problems.Add(missing);
            return null;
        }

        JsonTree? tree = JsonTree.Parse(text, out string? error);
        string? problem = tree is null ? "is not JSON (" + error + ")" : MetaschemaRules.CheckCondition(tree, field!.Type);
        if (problem is not null)
        {
            problems.Add(what + " on '" + path + "' " + (tree is null ? problem : "is invalid: " + problem));
            return null;
        }

        return tree!.Write();
    }

    private static List<string> FieldList(RecordSpec config, List<string> fields, string what, List<string> problems)
    {
        if (fields.Count == 0)
        {
            problems.Add(what + ": name at least one field");
        }
        else if (fields.Distinct(StringComparer.Ordinal).Count() != fields.Count)
        {
            problems.Add(what + ": a field is named twice");
        }
        else if (fields.Select(f => Resolve(config, f)).FirstOrDefault(static p => p is not null) is { } missing)
        {
            problems.Add(missing);
        }

        return fields;
    }

    /// <summary>An error text of the check. Kong formats it with <c>string.format(err, names)</c>, so it may hold one
    /// <c>%s</c> (the field names) and <c>%%</c>, and nothing else after a <c>%</c>: Lua would raise an error.</summary>
    private static string? ErrorText(AttributeData attribute, string name, List<string> problems)
    {
        TypedConstant value = Named(attribute, name);
        if (value.IsNull || value.Value is not string text)
        {
            return null;
        }

        int placeholders = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '%')
            {
                continue;
            }

            char next = i + 1 < text.Length ? text[i + 1] : '\0';
            if (next == 's')
            {
                placeholders++;
            }
            else if (next != '%')
            {
                problems.Add(name + " is a Lua format string: write '%s' for the field name(s) Kong fills in and '%%' for a percent sign, nothing else after '%'");
                return null;
            }

            i++;
        }

        if (placeholders > 1)
        {
            problems.Add(name + " has more than one '%s'; Kong fills in one value (the field name(s))");
            return null;
        }

        if (text.Length == 0)
        {
            problems.Add(name + " is empty");
            return null;
        }

        return text;
    }

    private static TypedConstant Named(AttributeData attribute, string name)
        => attribute.NamedArguments.FirstOrDefault(a => a.Key == name).Value;

    private static string Text(TypedConstant constant) => constant.Value as string ?? string.Empty;

    private static string Paths(IEnumerable<string> fields)
        => "[" + string.Join(",", fields.Select(static f => JsonText.String("config." + f))) + "]";
}
