namespace Kong.Pdk;

// Schema attributes for configuration properties. The source generator reads them at compile time and writes the
// matching Kong schema keys (kong-protocol.md §2.6); nothing reads them at run time. Each attribute documents the
// schema key it produces and the property types it applies to; using one on another type is diagnostic KONG0104.

/// <summary>
/// Overrides the schema field name of a configuration property. By default the property name is converted to
/// Kong's snake_case (<c>MaxRetries</c> becomes <c>max_retries</c>); the name given here is used verbatim, in the
/// schema and when binding the configuration Kong sends.
/// </summary>
/// <example><code>[KongField("x-header-name")] public string HeaderName { get; set; } = "x-hello";</code></example>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class KongFieldAttribute : Attribute
{
    /// <summary>Uses <paramref name="name"/> as the schema field name.</summary>
    public KongFieldAttribute(string name) => Name = name;

    /// <summary>The schema field name.</summary>
    public string Name { get; }
}

/// <summary>
/// Marks a field <c>required: true</c> in the schema, even when it has a default: Kong's Admin API then rejects a
/// plugin configuration that sets it to <c>null</c>. Non-nullable properties without a default are required
/// anyway; nullable properties (<c>string?</c>, <c>int?</c>) cannot be marked required.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class KongRequiredAttribute : Attribute
{
}

/// <summary>
/// Gives the schema <c>default</c> of a field, which Kong's Admin API fills in when a plugin is created. Usually
/// the property initializer (<c>= 3</c>, <c>= "hello"</c>, <c>= Mode.Safe</c>, <c>= []</c>) is enough; use this
/// attribute when the initializer is not a constant. The value must have the field's type: a string for string
/// and enum fields (the enum value's schema name or its C# name), a number for integer and number fields, a
/// boolean, or an array of those for array and set fields.
/// </summary>
/// <example><code>[KongDefault(new[] { "GET", "HEAD" })] public List&lt;string&gt; Methods { get; set; } = DefaultMethods();</code></example>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class KongDefaultAttribute : Attribute
{
    /// <summary>Uses <paramref name="value"/> as the field's default.</summary>
    public KongDefaultAttribute(object value) => Value = value;

    /// <summary>The default value.</summary>
    public object Value { get; }
}

/// <summary>
/// Restricts a string, integer or number field to a list of values (schema key <c>one_of</c>). Enum properties get
/// <c>one_of</c> automatically from their members.
/// </summary>
/// <example><code>[KongOneOf("http", "https")] public string Scheme { get; set; } = "https";</code></example>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class KongOneOfAttribute : Attribute
{
    /// <summary>Allows only <paramref name="values"/> (strings for string fields, numbers for numeric fields).</summary>
    public KongOneOfAttribute(params object[] values) => Values = values;

    /// <summary>The allowed values.</summary>
    public object[] Values { get; }

    /// <summary>What the rule constrains: the field (the default), or each element, key or value
    /// (<see cref="KongTarget"/>). Give the attribute once per target.</summary>
    public KongTarget Target { get; set; }
}

/// <summary>
/// Restricts an integer or number field to the inclusive range [<c>min</c>, <c>max</c>]
/// (schema key <c>between</c>). Integer fields always get the range of their CLR type; this attribute narrows it.
/// </summary>
/// <example><code>[KongBetween(1, 65535)] public int Port { get; set; } = 443;</code></example>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class KongBetweenAttribute : Attribute
{
    /// <summary>Allows values from <paramref name="min"/> to <paramref name="max"/>, both included.</summary>
    public KongBetweenAttribute(double min, double max)
    {
        Min = min;
        Max = max;
    }

    /// <summary>The smallest allowed value.</summary>
    public double Min { get; }

    /// <summary>The largest allowed value.</summary>
    public double Max { get; }

    /// <summary>What the rule constrains: the field (the default), or each element, key or value
    /// (<see cref="KongTarget"/>). Give the attribute once per target.</summary>
    public KongTarget Target { get; set; }
}

/// <summary>Requires an integer or number field to be strictly greater than a value (schema key <c>gt</c>).</summary>
/// <example><code>[KongGreaterThan(0)] public double Ratio { get; set; } = 1.5;</code></example>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class KongGreaterThanAttribute : Attribute
{
    /// <summary>Requires values greater than <paramref name="value"/>.</summary>
    public KongGreaterThanAttribute(double value) => Value = value;

    /// <summary>The exclusive lower bound.</summary>
    public double Value { get; }

    /// <summary>What the rule constrains: the field (the default), or each element, key or value
    /// (<see cref="KongTarget"/>). Give the attribute once per target.</summary>
    public KongTarget Target { get; set; }
}

/// <summary>
/// Limits the length of a string field (in bytes, as Lua counts), or the number of elements of an array, set or
/// map field (schema keys <c>len_min</c> and <c>len_max</c>). Set <see cref="Min"/>, <see cref="Max"/> or both.
/// </summary>
/// <example><code>[KongLength(Min = 1, Max = 64)] public string Name { get; set; } = "kong";</code></example>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class KongLengthAttribute : Attribute
{
    /// <summary>The smallest allowed length; <c>-1</c> (the default) leaves it open.</summary>
    public int Min { get; set; } = -1;

    /// <summary>The largest allowed length; <c>-1</c> (the default) leaves it open.</summary>
    public int Max { get; set; } = -1;

    /// <summary>What the rule constrains: the field (the default), or each element, key or value
    /// (<see cref="KongTarget"/>). Give the attribute once per target.</summary>
    public KongTarget Target { get; set; }
}

/// <summary>
/// Requires a string field to match a <b>Lua pattern</b> (schema key <c>match</c>). Lua patterns are not regular
/// expressions: character classes are written with <c>%</c> (<c>%d</c>, <c>%a</c>, <c>%w</c>), there is no
/// alternation, and <c>-</c> is the lazy repetition. Kong checks the value with <c>string.find</c>, so anchor the
/// pattern with <c>^</c> and <c>$</c> to match the whole value.
/// </summary>
/// <example><code>[KongLuaPattern("^%d+%.%d+%.%d+$")] public string MinVersion { get; set; } = "1.0.0";</code></example>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class KongLuaPatternAttribute : Attribute
{
    /// <summary>Requires values to match the Lua pattern <paramref name="pattern"/>.</summary>
    public KongLuaPatternAttribute(string pattern) => Pattern = pattern;

    /// <summary>The Lua pattern.</summary>
    public string Pattern { get; }

    /// <summary>What the rule constrains: the field (the default), or each element, key or value
    /// (<see cref="KongTarget"/>). Give the attribute once per target.</summary>
    public KongTarget Target { get; set; }
}

/// <summary>
/// Describes a field in the Admin API and Kong Manager (schema key <c>description</c>). Kong rejects a schema whose
/// descriptions are shorter than 10 or longer than 500 characters, so the generator reports that at compile time.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class KongDescriptionAttribute : Attribute
{
    /// <summary>Describes the field with <paramref name="text"/> (10 to 500 characters).</summary>
    public KongDescriptionAttribute(string text) => Text = text;

    /// <summary>The description.</summary>
    public string Text { get; }
}

/// <summary>
/// Lets a string field (or the elements of an array or set of strings) hold a vault reference such as
/// <c>{vault://env/my-secret}</c> (schema key <c>referenceable</c>). Kong resolves the reference before the
/// plugin starts, so the property receives the secret itself.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class KongReferenceableAttribute : Attribute
{
}

/// <summary>
/// Stores a string field encrypted at rest when Kong has a keyring configured (schema key <c>encrypted</c>, a Kong
/// Enterprise feature). The plugin receives the plaintext.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class KongEncryptedAttribute : Attribute
{
}
