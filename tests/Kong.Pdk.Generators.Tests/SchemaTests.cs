using System.Text.Json.Nodes;
using Xunit;

namespace Kong.Pdk.Generators.Tests;

public class SchemaTests
{
    private static JsonNode Schema(string source, string typeName)
        => JsonNode.Parse(TestCompiler.Descriptor(source, typeName).SchemaJson)!;

    private static JsonObject ConfigField(JsonNode schema, params string[] path)
    {
        JsonNode fields = schema["fields"]!.AsArray().Single(f => f!.AsObject().ContainsKey("config"))!["config"]!["fields"]!;
        JsonObject? field = null;
        foreach (string name in path)
        {
            field = fields.AsArray().Select(f => f!.AsObject()).Single(f => f.ContainsKey(name))[name]!.AsObject();
            fields = field["fields"] ?? field["elements"]?["fields"] ?? field["values"]?["fields"] ?? new JsonArray();
        }

        return field!;
    }

    [Fact]
    public void Schema_WorkedExample_EqualsKongProtocolSection27()
    {
        var descriptor = TestCompiler.Descriptor(TestCompiler.Usings + Plugins.WorkedExample, "Samples.Worked.MyPlugin");
        JsonNode expected = JsonNode.Parse(Plugins.WorkedExampleSchema)!;
        JsonNode actual = JsonNode.Parse(descriptor.SchemaJson)!;
        Assert.True(JsonNode.DeepEquals(expected, actual), "Generated schema:\n" + descriptor.SchemaJson);
        Assert.Equal("my-plugin", descriptor.Name);
        Assert.Equal("1.2.0", descriptor.Version);
        Assert.Equal(1000, descriptor.Priority);
        Assert.Equal(new[] { KongPhase.Access, KongPhase.Log }, descriptor.Phases);
        Assert.Equal(Kong.Pdk.Hosting.KongFailurePolicy.FailOpen, descriptor.FailurePolicy);
    }

    [Fact]
    public void Schema_VectorsPlugin_EqualsRecordedDumpExceptAddedIntegerRanges()
    {
        var descriptor = TestCompiler.Descriptor(TestCompiler.Usings + Plugins.Vectors, "Vectors.VectorsPlugin");
        JsonNode actual = JsonNode.Parse(descriptor.SchemaJson)!;

        // We add the CLR range to every integer field (kong-protocol.md §2.5); the JS plugin of the recording did not.
        foreach (string[] path in new[] { new[] { "count" }, new[] { "limit" }, new[] { "upstream", "port" } })
        {
            JsonObject field = ConfigField(actual, path);
            Assert.Equal("[-2147483648,2147483647]", field["between"]!.ToJsonString());
            field.Remove("between");
        }

        JsonObject extraValues = ConfigField(actual, "extra")["values"]!.AsObject();
        Assert.Equal("[-2147483648,2147483647]", extraValues["between"]!.ToJsonString());
        extraValues.Remove("between");

        // The JS plugin's 'upstream' record had no 'required', which Kong turns into required (make_records_required);
        // our nullable record says "required": false, so that Kong may send null for it (kong-protocol.md §2.4).
        JsonObject upstream = ConfigField(actual, "upstream");
        Assert.False((bool)upstream["required"]!);
        upstream.Remove("required");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Plugins.VectorsDumpSchema), actual), "Generated schema:\n" + actual.ToJsonString());
        Assert.Equal(new[] { "access", "response", "log" }, descriptor.Phases.Select(p => p.ToWireName()));
    }

    [Fact]
    public void Schema_AllTypes_PassesKongMetaschemaRules()
    {
        var descriptor = TestCompiler.Descriptor(TestCompiler.Usings + Plugins.AllTypes, "Outer+AllTypesPlugin");
        Assert.Empty(Kong.Pdk.PackageTests.KongSchemaValidator.ValidateSchema(descriptor.SchemaJson, "all-types"));
        Assert.DoesNotContain("null", descriptor.SchemaJson, StringComparison.Ordinal);
        Assert.Equal(new[] { KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Preread }, descriptor.Phases);
        Assert.Equal("2.0", descriptor.Version);
        Assert.Equal(-5, descriptor.Priority);
        Assert.Equal(Kong.Pdk.Hosting.KongFailurePolicy.FailClosed, descriptor.FailurePolicy);
    }

    [Theory]
    [InlineData("x-name", """{"type":"string","default":"kong","len_min":1,"len_max":64,"match":"^[%w-]+$"}""")]
    [InlineData("secret", """{"type":"string","referenceable":true,"encrypted":true,"description":"The secret used to sign tokens."}""")]
    [InlineData("scheme", """{"type":"string","default":"https","one_of":["http","https"]}""")]
    [InlineData("tiny", """{"type":"integer","default":-1,"between":[-128,127]}""")]
    [InlineData("small", """{"type":"integer","default":200,"between":[0,255]}""")]
    [InlineData("short", """{"type":"integer","required":true,"between":[-32768,32767]}""")]
    [InlineData("u_short", """{"type":"integer","default":1,"between":[0,65535]}""")]
    [InlineData("u_int", """{"type":"integer","default":7,"between":[0,4294967295]}""")]
    [InlineData("big", """{"type":"integer","default":1099511627776,"between":[-9007199254740991,9007199254740991]}""")]
    [InlineData("u_big", """{"type":"integer","default":5,"between":[0,9007199254740991]}""")]
    [InlineData("single", """{"type":"number","default":0.25,"gt":0}""")]
    [InlineData("money", """{"type":"number","default":1.5}""")]
    [InlineData("id", """{"type":"string","required":true,"uuid":true}""")]
    [InlineData("other_id", """{"type":"string","default":"00000000-0000-0000-0000-000000000001","uuid":true}""")]
    [InlineData("endpoint", """{"type":"string"}""")]
    [InlineData("level", """{"type":"string","default":"very_verbose","one_of":["debug","info","very_verbose"]}""")]
    [InlineData("levels", """{"type":"array","default":["debug","info"],"elements":{"type":"string","one_of":["debug","info","very_verbose"]}}""")]
    [InlineData("methods", """{"type":"set","default":["GET","HEAD"],"elements":{"type":"string"}}""")]
    [InlineData("codes", """{"type":"set","elements":{"type":"integer","between":[100,599]}}""")]
    [InlineData("read_only_set", """{"type":"set","elements":{"type":"string"}}""")]
    [InlineData("weights", """{"type":"array","default":[],"elements":{"type":"number"}}""")]
    [InlineData("immutable", """{"type":"array","default":[],"elements":{"type":"string"}}""")]
    [InlineData("tokens", """{"type":"array","default":["a","b"],"elements":{"type":"string","match":"^%w+$","referenceable":true}}""")]
    [InlineData("buckets", """{"type":"map","keys":{"type":"string","match":"^%l+$"},"values":{"type":"array","elements":{"type":"integer","between":[-2147483648,2147483647]},"len_max":8}}""")]
    [InlineData("origin", """{"type":"record","required":true,"fields":[{"x":{"type":"integer","default":0,"between":[-2147483648,2147483647]}},{"y":{"type":"integer","default":0,"between":[-2147483648,2147483647]}}]}""")]
    [InlineData("maybe", """{"type":"record","required":false,"fields":[{"x":{"type":"integer","default":0,"between":[-2147483648,2147483647]}},{"y":{"type":"integer","default":0,"between":[-2147483648,2147483647]}}]}""")]
    public void Schema_AllTypes_FieldIsExact(string name, string expectedJson)
    {
        JsonObject field = ConfigField(Schema(TestCompiler.Usings + Plugins.AllTypes, "Outer+AllTypesPlugin"), name);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expectedJson), field), name + " is " + field.ToJsonString());
    }

    [Fact]
    public void Schema_RecordsThreeDeep_NestCorrectly()
    {
        JsonNode schema = Schema(TestCompiler.Usings + Plugins.AllTypes, "Outer+AllTypesPlugin");
        Assert.Equal("""{"type":"integer","default":3,"between":[1,10]}""", ConfigField(schema, "nested", "next", "next", "depth").ToJsonString());
        Assert.Equal("""{"type":"array","default":[],"elements":{"type":"string"}}""", ConfigField(schema, "nested", "next", "next", "notes").ToJsonString());
        Assert.Equal("record", (string?)ConfigField(schema, "items")["elements"]!["type"]);
        Assert.Equal("record", (string?)ConfigField(schema, "named")["values"]!["type"]);
        Assert.True((bool)ConfigField(schema, "nested")["required"]!);
        Assert.False((bool)ConfigField(schema, "nested", "next", "next")["required"]!);
    }

    [Fact]
    public void Schema_NoConfigProperties_HasEmptyConfigRecord()
    {
        var descriptor = TestCompiler.Descriptor(TestCompiler.Usings + """
            [KongPlugin("empty")]
            public partial class EmptyPlugin
            {
                public int Computed => 3;
                public static string Shared { get; set; } = "";
                public ValueTask Access(IKong kong) => default;
            }
            """, "EmptyPlugin");
        Assert.Equal("""{"name":"empty","fields":[{"config":{"type":"record","fields":[]}}]}""", descriptor.SchemaJson);
        Assert.Equal("0.1.0", descriptor.Version);
        Assert.Equal(0, descriptor.Priority);
    }

    [Fact]
    public void Schema_Strings_AreEscaped()
    {
        var descriptor = TestCompiler.Descriptor(TestCompiler.Usings + """
            [KongPlugin("escapes")]
            public partial class EscapesPlugin
            {
                [KongDescription("A \"quoted\" and back\\slashed\ndescription.")]
                public string Text { get; set; } = "tab\there \u00e9";
                public ValueTask Access(IKong kong) => default;
            }
            """, "EscapesPlugin");
        JsonObject field = ConfigField(JsonNode.Parse(descriptor.SchemaJson)!, "text");
        Assert.Equal("A \"quoted\" and back\\slashed\ndescription.", (string?)field["description"]);
        Assert.Equal("tab\there \u00e9", (string?)field["default"]);
    }
}
