using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Kong.Pdk.Generators.Diagnostics;
using Kong.Pdk.Generators.Helpers;
using Kong.Pdk.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Kong.Pdk.Generators.Analysis;

/// <summary>The field validators and attributes beyond the basic constraints (FieldValidatorAttributes.cs in
/// Kong.Pdk): each becomes a <c>"key":value</c> fragment, and each that constrains values also gives a check of the
/// field's default.</summary>
internal sealed partial class ConfigModelBuilder
{
    /// <param name="attributes">The property's attributes for one target (the field, or its elements, keys or values).</param>
    private ConfigFieldSpec ApplyValidators(IPropertySymbol property, IReadOnlyList<AttributeData> attributes, ConfigFieldSpec field,
        List<Func<string, string?>> defaultChecks)
    {
        ConfigTypeSpec type = field.Type;
        bool text = type.Kind is ConfigKind.String or ConfigKind.Uri;
        bool numeric = type.Kind is ConfigKind.Integer or ConfigKind.Number;
        bool collection = type.Kind is ConfigKind.Array or ConfigKind.Set;
        bool lengthy = text || collection || type.Kind == ConfigKind.Map;
        var fragments = new List<string>();
        var matchAll = new List<string>();
        var matchNone = new List<string>();
        var subsets = new List<List<string>>();
        AttributeData? firstSubset = null;
        bool invalidSubset = false;

        foreach (AttributeData attribute in attributes)
        {
            if (attribute.AttributeClass is not { } attributeClass || attributeClass.ContainingNamespace?.ToDisplayString() != "Kong.Pdk")
            {
                continue;
            }

            string name = attributeClass.Name.EndsWith("Attribute", StringComparison.Ordinal)
                ? attributeClass.Name.Substring(0, attributeClass.Name.Length - "Attribute".Length)
                : attributeClass.Name;
            void Invalid(string why) => Problems.Add(new ConfigProblem(Descriptors.InvalidConstraint, Where(attribute, property), name, property.Name, why));
            TypedConstant First() => attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0] : default;
            string? Named(string key) => attribute.NamedArguments.FirstOrDefault(a => a.Key == key).Value.Value as string;

            switch (name)
            {
                case "KongNotOneOf":
                {
                    if (!(text || numeric))
                    {
                        Invalid("it applies to string, integer and number fields only");
                        break;
                    }

                    var values = new List<string>();
                    string? problem = null;
                    foreach (TypedConstant item in First().Values)
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
                        Invalid(problem ?? "give at least one value");
                        break;
                    }

                    fragments.Add("\"not_one_of\":[" + string.Join(",", values) + "]");
                    defaultChecks.Add(d => values.Any(v => SameJson(v, d)) ? "it is one of the KongNotOneOf values" : null);
                    break;
                }

                case "KongEquals":
                case "KongNotEquals":
                {
                    if (!(text || numeric || type.Kind == ConfigKind.Boolean))
                    {
                        Invalid("it applies to string, boolean, integer and number fields only");
                        break;
                    }

                    string? problem = null;
                    string? json = ConstantToJson(First(), type, ref problem);
                    if (json is null)
                    {
                        Invalid(problem ?? "give a value of the field's type");
                        break;
                    }

                    bool equals = name == "KongEquals";
                    fragments.Add((equals ? "\"eq\":" : "\"ne\":") + json);
                    defaultChecks.Add(d => SameJson(json, d) != equals ? (equals ? "it is not the KongEquals value" : "it is the KongNotEquals value") : null);
                    break;
                }

                case "KongStartsWith":
                {
                    if (!text)
                    {
                        Invalid("it applies to string fields only");
                    }
                    else if (First().Value is not string { Length: > 0 } prefix)
                    {
                        Invalid("the prefix is empty");
                    }
                    else
                    {
                        fragments.Add("\"starts_with\":" + JsonText.String(prefix));
                        defaultChecks.Add(d => UnquoteSimple(d).StartsWith(prefix, StringComparison.Ordinal) ? null : "it does not start with '" + prefix + "'");
                    }

                    break;
                }

                case "KongNotLuaPattern":
                case "KongMatch":
                {
                    string? pattern = First().Value as string;
                    string? error = pattern is { Length: > 0 } ? LuaPattern.Check(pattern) : "the pattern is empty";
                    if (!text)
                    {
                        Invalid("it applies to string fields only");
                        break;
                    }

                    if (error is not null)
                    {
                        Invalid("'" + pattern + "' is not a valid Lua pattern: " + error);
                        break;
                    }

                    bool mustMatch = name == "KongMatch" && !attribute.NamedArguments.Any(a => a.Key == "None" && a.Value.Value is true);
                    if (name == "KongNotLuaPattern")
                    {
                        fragments.Add("\"not_match\":" + JsonText.String(pattern!));
                    }
                    else
                    {
                        string? err = Named("Err");
                        (mustMatch ? matchAll : matchNone).Add("{\"pattern\":" + JsonText.String(pattern!) + (err is null ? string.Empty : ",\"err\":" + JsonText.String(err)) + "}");
                    }

                    defaultChecks.Add(d => LuaPattern.IsMatch(UnquoteSimple(d), pattern!) == !mustMatch
                        ? (mustMatch ? "it does not match the Lua pattern '" : "it matches the Lua pattern '") + pattern + "'"
                        : null);
                    break;
                }

                case "KongMatchAny":
                {
                    var patterns = First().Values.Select(static v => v.Value as string ?? string.Empty).ToList();
                    string? error = !text ? "it applies to string fields only"
                        : patterns.Count == 0 ? "give at least one pattern"
                        : patterns.Select(p => LuaPattern.Check(p) is { } e ? "'" + p + "' is not a valid Lua pattern: " + e : null).FirstOrDefault(static e => e is not null);
                    if (error is not null)
                    {
                        Invalid(error);
                        break;
                    }

                    string? err = Named("Err");
                    fragments.Add("\"match_any\":{\"patterns\":[" + string.Join(",", patterns.Select(JsonText.String)) + "]"
                        + (err is null ? string.Empty : ",\"err\":" + JsonText.String(err)) + "}");
                    defaultChecks.Add(d => patterns.All(p => LuaPattern.IsMatch(UnquoteSimple(d), p) == false) ? "it matches none of the KongMatchAny patterns" : null);
                    break;
                }

                case "KongLengthEquals":
                {
                    if (!lengthy)
                    {
                        Invalid("it applies to string, array, set and map fields only");
                    }
                    else if (First().Value is not int length || length < 0)
                    {
                        Invalid("the length must be 0 or more");
                    }
                    else
                    {
                        fragments.Add("\"len_eq\":" + JsonText.Integer(length));
                        defaultChecks.Add(d => (text ? Encoding.UTF8.GetByteCount(UnquoteSimple(d)) : CountJsonItems(d)) != length
                            ? "its length is not " + length.ToString(CultureInfo.InvariantCulture)
                            : null);
                    }

                    break;
                }

                case "KongContains":
                {
                    string? problem = null;
                    string? json = collection ? ConstantToJson(First(), type.Element!, ref problem) : null;
                    if (!collection)
                    {
                        Invalid("it applies to array and set fields only");
                        break;
                    }

                    if (json is null)
                    {
                        Invalid(problem ?? "give a value of the element type");
                        break;
                    }

                    fragments.Add("\"contains\":" + json);
                    defaultChecks.Add(d => JsonItems(d).Any(item => SameJson(item, json)) ? null : "it does not contain " + json);
                    break;
                }

                case "KongMutuallyExclusiveSubset":
                {
                    firstSubset ??= attribute;
                    if (!collection)
                    {
                        Invalid("it applies to array and set fields only");
                        invalidSubset = true;
                        break;
                    }

                    var subset = new List<string>();
                    string? problem = null;
                    foreach (TypedConstant item in First().Values)
                    {
                        string? json = ConstantToJson(item, type.Element!, ref problem);
                        if (json is null)
                        {
                            break;
                        }

                        subset.Add(json);
                    }

                    string? overlap = subset.FirstOrDefault(v => subsets.Any(other => other.Any(o => SameJson(o, v))) || subset.Count(w => SameJson(w, v)) > 1);
                    if (problem is not null || subset.Count == 0 || overlap is not null)
                    {
                        Invalid(problem ?? (overlap is not null ? overlap + " is in more than one subset, or twice in one" : "give at least one value"));
                        invalidSubset = true;
                        break;
                    }

                    subsets.Add(subset);
                    break;
                }

                case "KongIsRegex":
                    if (text)
                    {
                        fragments.Add("\"is_regex\":true");
                        defaultChecks.Add(static d => JsonTree.Parse(d, out _) is { Kind: JsonTreeKind.String } value && PcreProxy.Check(value.Text) is { } error
                            ? "it is not a valid regular expression (checked with .NET's Regex as a stand-in for PCRE): " + error
                            : null);
                    }
                    else
                    {
                        Invalid("it applies to string fields only");
                    }

                    break;
                case "KongTimestamp":
                    if (numeric)
                    {
                        fragments.Add("\"timestamp\":true");
                    }
                    else
                    {
                        Invalid("it applies to integer and number fields only");
                    }

                    break;
                case "KongImmutable":
                    fragments.Add("\"immutable\":true");
                    break;
                case "KongExamples":
                {
                    var examples = new List<string>();
                    foreach (TypedConstant item in First().Values)
                    {
                        string? json = item.Value switch
                        {
                            string s => JsonText.String(s),
                            bool b => b ? "true" : "false",
                            null => null,
                            IConvertible number when item.Value is not char => JsonText.Number(Convert.ToDouble(number, CultureInfo.InvariantCulture)),
                            _ => null,
                        };
                        if (json is null)
                        {
                            examples.Clear();
                            break;
                        }

                        examples.Add(json);
                    }

                    if (examples.Count == 0)
                    {
                        Invalid("give one or more strings, numbers or booleans (null is not a JSON value Kong accepts here)");
                    }
                    else
                    {
                        fragments.Add("\"examples\":[" + string.Join(",", examples) + "]");
                    }

                    break;
                }

                case "KongDeprecated":
                    if (attribute.ConstructorArguments.Length == 2 && attribute.ConstructorArguments[0].Value is string { Length: > 0 } message
                        && attribute.ConstructorArguments[1].Value is string { Length: > 0 } version)
                    {
                        fragments.Add("\"deprecation\":{\"message\":" + JsonText.String(message) + ",\"removal_in_version\":" + JsonText.String(version) + "}");
                    }
                    else
                    {
                        Invalid("give a message and the version that removes the field");
                    }

                    break;
                case "KongError":
                    if (First().Value is string { Length: > 0 } errorText)
                    {
                        fragments.Add("\"err\":" + JsonText.String(errorText));
                    }
                    else
                    {
                        Invalid("the message is empty");
                    }

                    break;
            }
        }

        if (invalidSubset)
        {
            // reported; the subsets are left out
        }
        else if (subsets.Count == 1)
        {
            Problems.Add(new ConfigProblem(Descriptors.InvalidConstraint, Where(firstSubset, property), "KongMutuallyExclusiveSubset", property.Name,
                "one subset excludes nothing; give two or more [KongMutuallyExclusiveSubset] attributes"));
        }
        else if (subsets.Count > 1)
        {
            fragments.Add("\"mutually_exclusive_subsets\":[" + string.Join(",", subsets.Select(static v => "[" + string.Join(",", v) + "]")) + "]");
            defaultChecks.Add(d =>
            {
                List<string> items = JsonItems(d);
                int used = subsets.Count(subset => subset.Any(v => items.Any(item => SameJson(item, v))));
                return used > 1 ? "it holds values of more than one KongMutuallyExclusiveSubset" : null;
            });
        }

        if (matchAll.Count > 0)
        {
            fragments.Add("\"match_all\":[" + string.Join(",", matchAll) + "]");
        }

        if (matchNone.Count > 0)
        {
            fragments.Add("\"match_none\":[" + string.Join(",", matchNone) + "]");
        }

        return fragments.Count == 0 ? field : field with { Validators = fragments.ToEquatableArray() };
    }

    /// <summary>Two JSON scalars written by this class are the same value (numbers compared as numbers).</summary>
    private static bool SameJson(string a, string b)
        => a == b || (a.Length > 0 && a[0] != '"' && b.Length > 0 && b[0] != '"' && a is not ("true" or "false") && b is not ("true" or "false")
            && JsonText.ParseNumber(a) == JsonText.ParseNumber(b));

    /// <summary>The top-level items of a JSON array (or entries of an object) written by this class.</summary>
    private static List<string> JsonItems(string json)
    {
        var items = new List<string>();
        if (json.Length < 2 || json is "[]" or "{}")
        {
            return items;
        }

        int depth = 0, start = 1;
        bool inString = false;
        for (int i = 1; i < json.Length - 1; i++)
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
            else if (c == ',' && depth == 0)
            {
                items.Add(json.Substring(start, i - start));
                start = i + 1;
            }
        }

        items.Add(json.Substring(start, json.Length - 1 - start));
        return items;
    }
}
