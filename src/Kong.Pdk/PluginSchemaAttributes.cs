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
