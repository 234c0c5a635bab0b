namespace Kong.Pdk.Generators.Model;

/// <summary>What a <see cref="ConfigKind"/> is called in Kong's schema.</summary>
internal static class ConfigKindExtensions
{
    /// <summary>The schema's <c>type</c> for a field of this kind: enums, GUIDs and URIs are Kong strings.</summary>
    public static string KongTypeName(this ConfigKind kind) => kind switch
    {
        ConfigKind.Boolean => "boolean",
        ConfigKind.Integer => "integer",
        ConfigKind.Number => "number",
        ConfigKind.Array => "array",
        ConfigKind.Set => "set",
        ConfigKind.Map => "map",
        ConfigKind.Record => "record",
        _ => "string",
    };
}
