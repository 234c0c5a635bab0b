using System.Text.Json.Serialization;

namespace TokenIntrospection;

/// <summary>The fields of an RFC 7662 §2.2 answer the plugin uses; the others are ignored.</summary>
internal sealed class IntrospectionResponse
{
    [JsonPropertyName("active")]
    public bool Active { get; set; }

    [JsonPropertyName("sub")]
    public string? Sub { get; set; }

    [JsonPropertyName("scope")]
    public string? Scope { get; set; }

    [JsonPropertyName("exp")]
    public long? Exp { get; set; }
}

/// <summary>Source-generated System.Text.Json metadata: no reflection, NativeAOT clean.</summary>
[JsonSerializable(typeof(IntrospectionResponse))]
internal sealed partial class IntrospectionJsonContext : JsonSerializerContext;
