namespace Kong.Pdk;

// Plugin-level schema attributes: fields beside 'config' and entity checks (kong-protocol.md §2.4, §2.6). The source
// generator reads them at compile time; a mistake (an unknown protocol, a field that does not exist) is KONG0111.

/// <summary>
/// Sets the protocols the plugin may be configured for: the schema field <c>protocols</c> (a <c>set</c> with this
/// default, each element one of Kong's protocols: <c>grpc</c>, <c>grpcs</c>, <c>http</c>, <c>https</c>, <c>tcp</c>,
/// <c>tls</c>, <c>tls_passthrough</c>, <c>udp</c>, <c>ws</c>, <c>wss</c>). Without it, a plugin whose only request
/// phase is <c>Preread</c> gets the stream protocols, one with <c>Preread</c> and HTTP phases gets both, and any other
/// plugin gets Kong's default (<c>grpc</c>, <c>grpcs</c>, <c>http</c>, <c>https</c>).
/// </summary>
/// <example><code>[KongProtocols("http", "https")]</code></example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class KongProtocolsAttribute : Attribute
{
    /// <summary>Allows <paramref name="protocols"/>, which are also the default.</summary>
    public KongProtocolsAttribute(params string[] protocols) => Protocols = protocols;

    /// <summary>The protocols.</summary>
    public string[] Protocols { get; }
}

/// <summary>
/// An entity check over configuration fields, written to the schema's <c>entity_checks</c>. Fields are schema field
/// names (<c>"minute"</c>, or a dotted path into a record such as <c>"upstream.host"</c>); the schema names them
/// <c>config.&lt;name&gt;</c>.
/// </summary>
public abstract class KongEntityCheckAttribute : Attribute
{
    /// <summary>Checks <paramref name="fields"/>.</summary>
    protected KongEntityCheckAttribute(string[] fields) => Fields = fields;

    /// <summary>The schema field names the check is about.</summary>
    public string[] Fields { get; }
}

/// <summary>At least one of the fields must be set (not null): <c>at_least_one_of</c>.</summary>
/// <example><code>[KongAtLeastOneOf("second", "minute", "hour")]</code></example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class KongAtLeastOneOfAttribute : KongEntityCheckAttribute
{
    /// <summary>Requires one or more of <paramref name="fields"/>.</summary>
    public KongAtLeastOneOfAttribute(params string[] fields) : base(fields)
    {
    }
}

/// <summary>Exactly one of the fields must be set: <c>only_one_of</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class KongOnlyOneOfAttribute : KongEntityCheckAttribute
{
    /// <summary>Requires exactly one of <paramref name="fields"/>.</summary>
    public KongOnlyOneOfAttribute(params string[] fields) : base(fields)
    {
    }
}

/// <summary>The fields are set together or not at all: <c>mutually_required</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class KongMutuallyRequiredAttribute : KongEntityCheckAttribute
{
    /// <summary>Requires all of <paramref name="fields"/> once one is set.</summary>
    public KongMutuallyRequiredAttribute(params string[] fields) : base(fields)
    {
    }
}

/// <summary>At most one of the fields may be set: <c>mutually_exclusive</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class KongMutuallyExclusiveAttribute : KongEntityCheckAttribute
{
    /// <summary>Allows at most one of <paramref name="fields"/>.</summary>
    public KongMutuallyExclusiveAttribute(params string[] fields) : base(fields)
    {
    }
}

/// <summary>The fields' values must all differ: <c>distinct</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class KongDistinctAttribute : KongEntityCheckAttribute
{
    /// <summary>Requires <paramref name="fields"/> to hold different values.</summary>
    public KongDistinctAttribute(params string[] fields) : base(fields)
    {
    }
}

/// <summary>
/// A conditional rule over two configuration fields (<c>conditional</c>): when the value of <see cref="IfField"/>
/// passes the condition <see cref="IfMatch"/>, the value of <see cref="ThenField"/> must pass <see cref="ThenMatch"/>.
/// A condition is a JSON object of Kong's field validators, the vocabulary of the field attributes: <c>required</c>,
/// <c>eq</c>, <c>ne</c>, <c>one_of</c>, <c>not_one_of</c>, <c>between</c>, <c>gt</c>, <c>len_eq</c>, <c>len_min</c>,
/// <c>len_max</c>, <c>match</c>, <c>not_match</c>, <c>match_all</c>, <c>match_none</c>, <c>match_any</c>,
/// <c>starts_with</c>, <c>contains</c>, <c>is_regex</c>, <c>timestamp</c>, <c>uuid</c>,
/// <c>mutually_exclusive_subsets</c>, and <c>elements</c>, <c>keys</c>, <c>values</c> for collections. The generator
/// checks at compile time that it is valid JSON, that every key is one of these, and that the values fit the field
/// (KONG0111).
/// </summary>
/// <example><code>[KongConditional("policy", """{"eq": "redis"}""", "redis.host", """{"required": true}""")]</code></example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class KongConditionalAttribute : Attribute
{
    /// <summary>When <paramref name="ifField"/> passes <paramref name="ifMatch"/>, <paramref name="thenField"/> must pass
    /// <paramref name="thenMatch"/>.</summary>
    public KongConditionalAttribute(string ifField, string ifMatch, string thenField, string thenMatch)
    {
        IfField = ifField;
        IfMatch = ifMatch;
        ThenField = thenField;
        ThenMatch = thenMatch;
    }

    /// <summary>The schema name of the field the condition reads (a dotted path into records).</summary>
    public string IfField { get; }

    /// <summary>The condition on <see cref="IfField"/>, a JSON object of validators.</summary>
    public string IfMatch { get; }

    /// <summary>The schema name of the field the rule constrains.</summary>
    public string ThenField { get; }

    /// <summary>What <see cref="ThenField"/> must satisfy, a JSON object of validators (often <c>{"required": true}</c>).</summary>
    public string ThenMatch { get; }

    /// <summary>The error Kong reports (<c>then_err</c>); <c>%s</c> stands for the if field's name.</summary>
    public string? ThenErr { get; set; }
}

/// <summary>
/// At least one of some fields must be set, depending on another field (<c>conditional_at_least_one_of</c>): when the
/// value of <see cref="IfField"/> passes <see cref="IfMatch"/>, one of <see cref="ThenAtLeastOneOf"/> must be set;
/// otherwise, when it passes <see cref="ElseMatch"/>, one of <see cref="ElseThenAtLeastOneOf"/> must be. Conditions are
/// JSON objects of validators, as for <see cref="KongConditionalAttribute"/>.
/// </summary>
/// <example><code>[KongConditionalAtLeastOneOf("strategy", """{"eq": "redis"}""", "redis_host", "redis_socket")]</code></example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class KongConditionalAtLeastOneOfAttribute : Attribute
{
    /// <summary>When <paramref name="ifField"/> passes <paramref name="ifMatch"/>, one of <paramref name="thenAtLeastOneOf"/>
    /// must be set.</summary>
    public KongConditionalAtLeastOneOfAttribute(string ifField, string ifMatch, params string[] thenAtLeastOneOf)
    {
        IfField = ifField;
        IfMatch = ifMatch;
        ThenAtLeastOneOf = thenAtLeastOneOf;
    }

    /// <summary>The schema name of the field the condition reads.</summary>
    public string IfField { get; }

    /// <summary>The condition on <see cref="IfField"/>, a JSON object of validators.</summary>
    public string IfMatch { get; }

    /// <summary>The fields one of which must be set when the condition holds.</summary>
    public string[] ThenAtLeastOneOf { get; }

    /// <summary>The error Kong reports (<c>then_err</c>); <c>%s</c> stands for the list of fields.</summary>
    public string? ThenErr { get; set; }

    /// <summary>The condition on <see cref="IfField"/> checked when <see cref="IfMatch"/> does not hold (<c>else_match</c>).</summary>
    public string? ElseMatch { get; set; }

    /// <summary>The fields one of which must be set when <see cref="ElseMatch"/> holds.</summary>
    public string[]? ElseThenAtLeastOneOf { get; set; }

    /// <summary>The error Kong reports for the else rule (<c>else_then_err</c>); <c>%s</c> stands for the list of fields.</summary>
    public string? ElseThenErr { get; set; }
}

/// <summary>Fields of one set and fields of the other are never set together (<c>mutually_exclusive_sets</c>).</summary>
/// <example><code>[KongMutuallyExclusiveSets(new[] { "inline" }, new[] { "namespace", "parent_key" })]</code></example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class KongMutuallyExclusiveSetsAttribute : Attribute
{
    /// <summary>No field of <paramref name="set1"/> may be set together with a field of <paramref name="set2"/>.</summary>
    public KongMutuallyExclusiveSetsAttribute(string[] set1, string[] set2)
    {
        Set1 = set1;
        Set2 = set2;
    }

    /// <summary>The first set of schema field names.</summary>
    public string[] Set1 { get; }

    /// <summary>The second set of schema field names.</summary>
    public string[] Set2 { get; }
}

/// <summary>
/// The plugin cannot be configured for a consumer: the schema field <c>consumer</c> of Kong's
/// <c>typedefs.no_consumer</c>, <c>{"type": "foreign", "reference": "consumers", "eq": null}</c>. The Admin API then
/// rejects a plugin entity that names a consumer (use it for plugins that run before a consumer is known, such as
/// authentication plugins).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class KongNoConsumerAttribute : Attribute
{
}

/// <summary>The plugin cannot be configured for a route: the schema field <c>route</c> of Kong's <c>typedefs.no_route</c>,
/// <c>{"type": "foreign", "reference": "routes", "eq": null}</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class KongNoRouteAttribute : Attribute
{
}

/// <summary>The plugin cannot be configured for a service: the schema field <c>service</c> of Kong's
/// <c>typedefs.no_service</c>, <c>{"type": "foreign", "reference": "services", "eq": null}</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class KongNoServiceAttribute : Attribute
{
}
