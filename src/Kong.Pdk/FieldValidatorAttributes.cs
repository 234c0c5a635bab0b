namespace Kong.Pdk;

// More of Kong's field validators and attributes (kong/db/schema/metaschema.lua), one attribute each. The generator
// writes the schema key, checks at compile time that it fits the property's type (KONG0104) and that the field's
// default satisfies it (KONG0102).

/// <summary>Forbids values (schema key <c>not_one_of</c>); string, integer and number fields.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class KongNotOneOfAttribute : Attribute
{
    /// <summary>Forbids <paramref name="values"/>.</summary>
    public KongNotOneOfAttribute(params object[] values) => Values = values;

    /// <summary>The forbidden values.</summary>
    public object[] Values { get; }

    /// <summary>What the rule constrains: the field (the default), or each element, key or value
    /// (<see cref="KongTarget"/>). Give the attribute once per target.</summary>
    public KongTarget Target { get; set; }
}

/// <summary>Requires exactly this value (schema key <c>eq</c>); string, boolean, integer and number fields.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class KongEqualsAttribute : Attribute
{
    /// <summary>Requires <paramref name="value"/>.</summary>
    public KongEqualsAttribute(object value) => Value = value;

    /// <summary>The required value.</summary>
    public object Value { get; }

    /// <summary>What the rule constrains: the field (the default), or each element, key or value
    /// (<see cref="KongTarget"/>). Give the attribute once per target.</summary>
    public KongTarget Target { get; set; }
}

/// <summary>Forbids one value (schema key <c>ne</c>); string, boolean, integer and number fields.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class KongNotEqualsAttribute : Attribute
{
    /// <summary>Forbids <paramref name="value"/>.</summary>
    public KongNotEqualsAttribute(object value) => Value = value;

    /// <summary>The forbidden value.</summary>
    public object Value { get; }

    /// <summary>What the rule constrains: the field (the default), or each element, key or value
    /// (<see cref="KongTarget"/>). Give the attribute once per target.</summary>
    public KongTarget Target { get; set; }
}

/// <summary>Requires a string field to start with a prefix (schema key <c>starts_with</c>).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class KongStartsWithAttribute : Attribute
{
    /// <summary>Requires the prefix <paramref name="prefix"/>.</summary>
    public KongStartsWithAttribute(string prefix) => Prefix = prefix;

    /// <summary>The prefix.</summary>
    public string Prefix { get; }

    /// <summary>What the rule constrains: the field (the default), or each element, key or value
    /// (<see cref="KongTarget"/>). Give the attribute once per target.</summary>
    public KongTarget Target { get; set; }
}

/// <summary>Forbids a string field to match a <b>Lua pattern</b> (schema key <c>not_match</c>).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class KongNotLuaPatternAttribute : Attribute
{
    /// <summary>Forbids values matching the Lua pattern <paramref name="pattern"/>.</summary>
    public KongNotLuaPatternAttribute(string pattern) => Pattern = pattern;

    /// <summary>The Lua pattern.</summary>
    public string Pattern { get; }

    /// <summary>What the rule constrains: the field (the default), or each element, key or value
    /// (<see cref="KongTarget"/>). Give the attribute once per target.</summary>
    public KongTarget Target { get; set; }
}

/// <summary>
/// One entry of <c>match_all</c> (every entry must match) or, with <see cref="None"/>, of <c>match_none</c> (no entry
/// may match): a <b>Lua pattern</b> and the error Kong reports when the rule is broken. Repeatable; string fields.
/// </summary>
/// <example><code>[KongMatch("^https://", Err = "must be an https URL")]</code></example>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class KongMatchAttribute : Attribute
{
    /// <summary>A rule with the Lua pattern <paramref name="pattern"/>.</summary>
    public KongMatchAttribute(string pattern) => Pattern = pattern;

    /// <summary>The Lua pattern.</summary>
    public string Pattern { get; }

    /// <summary>The error message when the rule is broken (schema key <c>err</c> of the entry).</summary>
    public string? Err { get; set; }

    /// <summary>A <c>match_none</c> entry: the value must <b>not</b> match.</summary>
    public bool None { get; set; }

    /// <summary>What the rule constrains: the field (the default), or each element, key or value
    /// (<see cref="KongTarget"/>). Repeatable for any target.</summary>
    public KongTarget Target { get; set; }
}

/// <summary>Requires a string field to match at least one of some <b>Lua patterns</b> (schema key <c>match_any</c>).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class KongMatchAnyAttribute : Attribute
{
    /// <summary>Requires a match of one of <paramref name="patterns"/>.</summary>
    public KongMatchAnyAttribute(params string[] patterns) => Patterns = patterns;

    /// <summary>The Lua patterns.</summary>
    public string[] Patterns { get; }

    /// <summary>The error message when none matches.</summary>
    public string? Err { get; set; }

    /// <summary>What the rule constrains: the field (the default), or each element, key or value
    /// (<see cref="KongTarget"/>). Give the attribute once per target.</summary>
    public KongTarget Target { get; set; }
}

/// <summary>Requires an exact length (schema key <c>len_eq</c>): bytes of a string, elements of an array, set or map.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class KongLengthEqualsAttribute : Attribute
{
    /// <summary>Requires the length <paramref name="length"/>.</summary>
    public KongLengthEqualsAttribute(int length) => Length = length;

    /// <summary>The length.</summary>
    public int Length { get; }

    /// <summary>What the rule constrains: the field (the default), or each element, key or value
    /// (<see cref="KongTarget"/>). Give the attribute once per target.</summary>
    public KongTarget Target { get; set; }
}

/// <summary>Requires an array or set field to contain a value (schema key <c>contains</c>).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class KongContainsAttribute : Attribute
{
    /// <summary>Requires the element <paramref name="value"/>.</summary>
    public KongContainsAttribute(object value) => Value = value;

    /// <summary>The element.</summary>
    public object Value { get; }

    /// <summary>What the rule constrains: the field (the default), or each element, key or value
    /// (<see cref="KongTarget"/>). Give the attribute once per target.</summary>
    public KongTarget Target { get; set; }
}

/// <summary>Requires a string field to hold a valid PCRE regular expression (schema key <c>is_regex</c>).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class KongIsRegexAttribute : Attribute
{
    /// <summary>What the rule constrains: the field (the default), or each element, key or value
    /// (<see cref="KongTarget"/>). Give the attribute once per target.</summary>
    public KongTarget Target { get; set; }
}

/// <summary>Marks an integer or number field as a Unix timestamp (schema key <c>timestamp</c>).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class KongTimestampAttribute : Attribute
{
    /// <summary>What the rule constrains: the field (the default), or each element, key or value
    /// (<see cref="KongTarget"/>). Give the attribute once per target.</summary>
    public KongTarget Target { get; set; }
}

/// <summary>The field cannot change once the plugin is created (schema key <c>immutable</c>).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class KongImmutableAttribute : Attribute
{
}

/// <summary>
/// Writes <c>required: false</c> on a field that would otherwise be required: a non-nullable record (Kong then may
/// send <c>null</c> or leave it out, and the property keeps its initializer value) or a non-nullable property
/// without a default.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class KongOptionalAttribute : Attribute
{
}

/// <summary>Example values shown in the Admin API and Kong Manager (schema key <c>examples</c>).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class KongExamplesAttribute : Attribute
{
    /// <summary>The examples (strings, numbers or booleans).</summary>
    public KongExamplesAttribute(params object[] values) => Values = values;

    /// <summary>The examples.</summary>
    public object[] Values { get; }
}

/// <summary>Kong logs a deprecation warning when the field is used (schema key <c>deprecation</c>).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class KongDeprecatedAttribute : Attribute
{
    /// <summary>Deprecates the field with <paramref name="message"/>, to be removed in <paramref name="removalInVersion"/>.</summary>
    public KongDeprecatedAttribute(string message, string removalInVersion)
    {
        Message = message;
        RemovalInVersion = removalInVersion;
    }

    /// <summary>The warning.</summary>
    public string Message { get; }

    /// <summary>The version that removes the field (schema key <c>removal_in_version</c>).</summary>
    public string RemovalInVersion { get; }
}

/// <summary>The error message Kong gives when the field's validators reject a value (schema key <c>err</c>).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class KongErrorAttribute : Attribute
{
    /// <summary>Uses <paramref name="message"/> as the field's error.</summary>
    public KongErrorAttribute(string message) => Message = message;

    /// <summary>The error message.</summary>
    public string Message { get; }
}

/// <summary>
/// One subset of <c>mutually_exclusive_subsets</c>: an array or set field may hold values of one subset only (values in
/// no subset are free). Repeatable: every <c>[KongMutuallyExclusiveSubset]</c> of the property is one subset, and two or
/// more are needed.
/// </summary>
/// <example><code>[KongMutuallyExclusiveSubset("http", "https"), KongMutuallyExclusiveSubset("tcp", "tls")]</code></example>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class KongMutuallyExclusiveSubsetAttribute : Attribute
{
    /// <summary>A subset holding <paramref name="values"/> (values of the element type).</summary>
    public KongMutuallyExclusiveSubsetAttribute(params object[] values) => Values = values;

    /// <summary>The values of the subset.</summary>
    public object[] Values { get; }
}

/// <summary>
/// Raw schema JSON merged into the field's definition: the escape hatch for a key of Kong's metaschema that no attribute
/// writes. The generator checks it at compile time: a JSON object (KONG0112) whose keys are field attributes or
/// validators of the metaschema that apply to the field's type, with values of the right shape, and which the field's
/// default satisfies (KONG0113), and none of the keys the generator writes for the field itself (<c>type</c>,
/// <c>required</c>, <c>default</c>, <c>fields</c>, <c>elements</c>, <c>keys</c>, <c>values</c>, or a key an attribute
/// already wrote; KONG0114).
/// </summary>
/// <example><code>[KongSchemaJson("""{"uuid": true, "auto": true}""")] public string? RequestId { get; set; }</code></example>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class KongSchemaJsonAttribute : Attribute
{
    /// <summary>Merges the JSON object <paramref name="json"/> into the field's definition.</summary>
    public KongSchemaJsonAttribute(string json) => Json = json;

    /// <summary>The JSON object.</summary>
    public string Json { get; }
}
