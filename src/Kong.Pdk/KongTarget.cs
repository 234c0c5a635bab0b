namespace Kong.Pdk;

/// <summary>
/// What a validator attribute constrains: the field itself (the default), or each element of an array or set field,
/// each key or each value of a map field. Kong's schema writes the rule in the field's nested <c>elements</c>,
/// <c>keys</c> or <c>values</c> definition.
/// </summary>
/// <example><code>[KongLuaPattern("^[%l%-]+$", Target = KongTarget.Elements)] public List&lt;string&gt; Tags { get; set; } = [];
/// [KongBetween(1, 10, Target = KongTarget.Values)] public Dictionary&lt;string, int&gt; Weights { get; set; } = new();</code></example>
public enum KongTarget
{
    /// <summary>The field's own value.</summary>
    Field = 0,

    /// <summary>Each element of an array or set field (schema key <c>elements</c>).</summary>
    Elements = 1,

    /// <summary>Each key of a map field (schema key <c>keys</c>); keys are strings.</summary>
    Keys = 2,

    /// <summary>Each value of a map field (schema key <c>values</c>).</summary>
    Values = 3,
}
