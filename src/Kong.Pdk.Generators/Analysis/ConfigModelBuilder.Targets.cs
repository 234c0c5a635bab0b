using System;
using System.Collections.Generic;
using System.Linq;
using Kong.Pdk.Generators.Diagnostics;
using Kong.Pdk.Generators.Helpers;
using Kong.Pdk.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Kong.Pdk.Generators.Analysis;

/// <summary>Validators on elements, keys and values (<c>Target = KongTarget.Elements</c>, <c>Keys</c>, <c>Values</c>):
/// Kong writes them in the field's nested <c>elements</c>, <c>keys</c> and <c>values</c> definitions, which take the
/// same validators as a field. Each nested definition is built like a field of the element type, by the same code.</summary>
internal sealed partial class ConfigModelBuilder
{
    // KongTarget's values (Kong.Pdk): the generator does not reference the runtime library.
    private const int TargetField = 0;
    private const int TargetElements = 1;
    private const int TargetKeys = 2;
    private const int TargetValues = 3;

    private static readonly string[] TargetNames = { "Field", "Elements", "Keys", "Values" };

    private static readonly ConfigTypeSpec MapKeyType = new(ConfigKind.String, "global::System.String", false, ClrNumeric.None,
        CollectionShape.None, null, EquatableArray<EnumMemberSpec>.Empty, null);

    /// <summary>The nested rules of one field and the checks of its default's elements, keys or values.</summary>
    private sealed class NestedRules
    {
        public ConfigFieldSpec? Elements;
        public readonly List<Func<string, string?>> ElementChecks = new();
        public ConfigFieldSpec? Keys;
        public readonly List<Func<string, string?>> KeyChecks = new();
    }

    /// <summary>The property's attributes by target (index: KongTarget's value). An attribute without a <c>Target</c>
    /// applies to the field. The same attribute with a <c>Target</c> twice for one target (other than the repeatable
    /// <c>KongMatch</c>) is KONG0104, and only the first is kept.</summary>
    private List<AttributeData>[] AttributesByTarget(IPropertySymbol property)
    {
        var groups = new List<AttributeData>[TargetNames.Length];
        for (int i = 0; i < groups.Length; i++)
        {
            groups[i] = new List<AttributeData>();
        }

        foreach (AttributeData attribute in property.GetAttributes())
        {
            int target = TargetField;
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                if (argument.Key == "Target" && argument.Value.Value is int value)
                {
                    target = value;
                }
            }

            string name = AttributeName(attribute);
            if (target is < TargetField or > TargetValues)
            {
                Problems.Add(new ConfigProblem(Descriptors.InvalidConstraint, Where(attribute, property), name, property.Name,
                    "Target must be Field, Elements, Keys or Values"));
                continue;
            }

            // The attributes with a Target allow several uses (one per target); the others are checked by the compiler
            // (AllowMultiple = false) or repeatable by design (KongMutuallyExclusiveSubset).
            bool oncePerTarget = name != "KongMatch" && attribute.AttributeClass is { } c && !c.GetMembers("Target").IsEmpty;
            if (oncePerTarget && attribute.AttributeClass is { } attributeClass
                && groups[target].Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attributeClass)))
            {
                Problems.Add(new ConfigProblem(Descriptors.InvalidConstraint, Where(attribute, property), name, property.Name,
                    target == TargetField
                        ? "it is given twice for the field; give it once (Target = Elements, Keys or Values applies it to each element, key or value)"
                        : "it is given twice with Target = " + TargetNames[target] + "; give it once per target"));
                continue;
            }

            groups[target].Add(attribute);
        }

        return groups;
    }

    private static string AttributeName(AttributeData attribute)
    {
        string name = attribute.AttributeClass?.Name ?? string.Empty;
        return name.EndsWith("Attribute", StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;
    }

    /// <summary>Builds the <c>elements</c> / <c>values</c> and <c>keys</c> rules from the targeted attributes.</summary>
    private NestedRules ApplyNestedRules(IPropertySymbol property, ConfigFieldSpec field, List<AttributeData>[] groups)
    {
        var rules = new NestedRules();
        ConfigTypeSpec type = field.Type;
        bool collection = type.Kind is ConfigKind.Array or ConfigKind.Set;
        bool map = type.Kind == ConfigKind.Map;
        for (int target = TargetElements; target <= TargetValues; target++)
        {
            List<AttributeData> attributes = groups[target];
            if (attributes.Count == 0)
            {
                continue;
            }

            ConfigTypeSpec? nestedType = target switch
            {
                TargetElements when collection => type.Element,
                TargetKeys when map => MapKeyType,
                TargetValues when map => type.Element,
                _ => null,
            };
            if (nestedType is null)
            {
                string why = target == TargetElements
                    ? "Target = Elements applies to array and set fields only" + (map ? "; use Target = Keys or Target = Values for a map" : string.Empty)
                    : "Target = " + TargetNames[target] + " applies to map fields only" + (collection ? "; use Target = Elements for an array or set" : string.Empty);
                foreach (AttributeData attribute in attributes)
                {
                    Problems.Add(new ConfigProblem(Descriptors.InvalidConstraint, Where(attribute, property), AttributeName(attribute), property.Name, why));
                }

                continue;
            }

            var nested = new ConfigFieldSpec(property.Name, field.WireName, nestedType, Required: false, MustBePresent: false, DefaultJson: null,
                OneOfJson: EquatableArray<string>.Empty, BetweenMinJson: null, BetweenMaxJson: null, GreaterThanJson: null,
                LengthMin: -1, LengthMax: -1, LuaPattern: null, Description: null, Referenceable: false, Encrypted: false);
            int firstProblem = Problems.Count;
            List<Func<string, string?>> checks = target == TargetKeys ? rules.KeyChecks : rules.ElementChecks;
            nested = ApplyConstraints(property, attributes, nested);
            nested = ApplyValidators(property, attributes, nested, checks);

            // "it applies to string fields only" is about the element type here: say so.
            for (int i = firstProblem; i < Problems.Count; i++)
            {
                object?[] arguments = Problems[i].Arguments;
                arguments[arguments.Length - 1] = arguments[arguments.Length - 1]
                    + " (with Target = " + TargetNames[target] + " it applies to each " + (target == TargetElements ? "element" : target == TargetKeys ? "key" : "value")
                    + ", of schema type '" + nestedType.Kind.KongTypeName() + "')";
            }

            if (target == TargetKeys)
            {
                rules.Keys = nested;
            }
            else
            {
                rules.Elements = nested;
            }
        }

        return rules;
    }

    /// <summary>Checks each element of an array or set default, or each key and value of a map default, against the
    /// nested rules; <see langword="null"/> when all pass.</summary>
    private static string? CheckNestedDefault(string json, ConfigFieldSpec field, NestedRules rules)
    {
        ConfigTypeSpec type = field.Type;
        if (type.Kind is ConfigKind.Array or ConfigKind.Set && rules.Elements is { } elements)
        {
            List<string> items = JsonItems(json);
            for (int i = 0; i < items.Count; i++)
            {
                string? violation = CheckDefault(items[i], elements.Type, elements)
                    ?? rules.ElementChecks.Select(check => check(items[i])).FirstOrDefault(static v => v is not null);
                if (violation is not null)
                {
                    return "its element " + items[i] + " breaks a Target = Elements rule: " + violation;
                }
            }
        }

        if (type.Kind == ConfigKind.Map)
        {
            foreach ((string key, string value) in JsonEntries(json))
            {
                string? violation = rules.Keys is { } keys
                    ? CheckDefault(key, keys.Type, keys) ?? rules.KeyChecks.Select(check => check(key)).FirstOrDefault(static v => v is not null)
                    : null;
                if (violation is not null)
                {
                    return "its key " + key + " breaks a Target = Keys rule: " + violation;
                }

                violation = rules.Elements is { } values
                    ? CheckDefault(value, values.Type, values) ?? rules.ElementChecks.Select(check => check(value)).FirstOrDefault(static v => v is not null)
                    : null;
                if (violation is not null)
                {
                    return "its value for the key " + key + " breaks a Target = Values rule: " + violation;
                }
            }
        }

        return null;
    }

    /// <summary>The entries of a JSON object written by this class, as (key as a JSON string, value as JSON).</summary>
    private static List<(string Key, string Value)> JsonEntries(string json)
    {
        var entries = new List<(string, string)>();
        foreach (string entry in JsonItems(json))
        {
            // The key is a JSON string: find its closing quote, then the colon.
            int i = 1;
            while (i < entry.Length && entry[i] != '"')
            {
                i += entry[i] == '\\' ? 2 : 1;
            }

            entries.Add((entry.Substring(0, i + 1), entry.Substring(i + 2)));
        }

        return entries;
    }
}
