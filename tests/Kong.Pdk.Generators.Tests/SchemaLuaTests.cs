using System.Text.Json;
using Kong.Pdk.Hosting;
using Kong.Pdk.PackageTests;
using Kong.Pdk.TestSupport;
using Xunit;

namespace Kong.Pdk.Generators.Tests;

/// <summary>schema.lua of generated schemas: the schema parts beside the config fields (record-valued entity checks,
/// the consumer/route/service restrictions with their null) load in LuaJIT to the same value as the -dump JSON.</summary>
public sealed class SchemaLuaTests
{
    private const string Source = """"
        [KongConditional("policy", """{"eq": "redis"}""", "redis.host", """{"required": true}""", ThenErr = "needed for %s")]
        [KongConditionalAtLeastOneOf("policy", """{"one_of": ["redis"]}""", "redis.host", "redis.socket",
            ElseMatch = """{"eq": "local"}""", ElseThenAtLeastOneOf = new[] { "path" })]
        [KongMutuallyExclusiveSets(new[] { "path" }, new[] { "redis.host" })]
        [KongNoConsumer, KongNoRoute]
        [KongPlugin("lua-rt")]
        public partial class L
        {
            public Policy Policy { get; set; } = Policy.Local;
            public string? Path { get; set; }
            public Redis Redis { get; set; } = new();
            public ValueTask Access(IKong kong) => default;
        }
        public enum Policy { Local, Redis }
        public sealed class Redis { public string? Host { get; set; } public string? Socket { get; set; } }
        """";

    [LuaJitFact]
    public void GeneratedSchema_LoadsInLuaJit_ToTheSameValueAsTheDump()
    {
        KongPluginDescriptor descriptor = TestCompiler.Descriptor(TestCompiler.Usings + Source, "L");
        Assert.Empty(KongSchemaValidator.ValidateSchema(descriptor.SchemaJson, descriptor.Name));
        using JsonDocument json = JsonDocument.Parse(descriptor.SchemaJson);
        Assert.Equal(3, json.RootElement.GetProperty("entity_checks").GetArrayLength());
        string module = LuaSchemaWriter.Write(descriptor);
        Assert.Contains("eq = ngx.null,", module, StringComparison.Ordinal);
        LuaSchemaRoundTrip.AssertSame(json.RootElement, module);
    }
}
