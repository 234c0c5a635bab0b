using Xunit;

namespace Kong.Pdk.PackageTests;

/// <summary>The validator must reject what Kong rejects, naming the offending path; otherwise the dump tests prove nothing.</summary>
public sealed class KongSchemaValidatorTests
{
    private static string Dump(string configFields, string phases = """["access"]""", string version = "\"1.0.0\"", string priority = "10", string schemaName = "\"p\"") => $$$"""
        {"Protocol":"MsgPack:1","Plugins":[{"Name":"p","Version":{{{version}}},"Priority":{{{priority}}},"Phases":{{{phases}}},
         "Schema":{"name":{{{schemaName}}},"fields":[{"config":{"type":"record","fields":[{{{configFields}}}]}}]}}]}
        """;

    private const string Config = "$.Plugins[0].Schema.fields[0].config.fields";

    [Fact]
    public void Validator_TheWorkedExampleOfKongProtocol_Passes()
    {
        KongDumpInfo info = KongSchemaValidator.ValidateDump(Dump("""
            { "message":  { "type": "string", "required": true, "default": "hello" } },
            { "count":    { "type": "integer", "default": 3, "between": [0, 100] } },
            { "ratio":    { "type": "number" } },
            { "tags":     { "type": "array", "elements": { "type": "string" }, "default": [] } },
            { "headers":  { "type": "map", "keys": { "type": "string" }, "values": { "type": "string" } } },
            { "mode":     { "type": "string", "one_of": ["fast", "safe"], "default": "safe" } },
            { "upstream": { "type": "record", "required": true, "fields": [
                { "host": { "type": "string", "required": true, "default": "localhost" } },
                { "port": { "type": "integer", "default": 443, "between": [1, 65535] } } ] } }
            """, phases: """["access","log"]"""), ["access", "log"]);

        Assert.Equal("p", info.Name);
        Assert.Equal(7, info.ConfigFields.GetArrayLength());
    }

    [Theory]
    [InlineData("""{ "a": { "type": "string", "default": null } }""", Config + "[0].a.default: JSON null")]
    [InlineData("""{ "a": { "type": "text" } }""", Config + "[0].a.type: must be one of")]
    [InlineData("""{ "a": { "default": 1 } }""", Config + "[0].a.type: must be one of")]
    [InlineData("""{ "a": { "type": "array" } }""", Config + "[0].a: a array field needs 'elements'")]
    [InlineData("""{ "a": { "type": "set", "elements": { "type": "string" }, "default": ["x", "x"] } }""", Config + "[0].a.default[1]: \"x\" appears twice")]
    [InlineData("""{ "a": { "type": "map", "values": { "type": "string" } } }""", Config + "[0].a: a map field needs 'keys'")]
    [InlineData("""{ "a": { "type": "record" } }""", Config + "[0].a: a record field needs 'fields'")]
    [InlineData("""{ "a": { "type": "record", "fields": [ { "b": { "type": "integer", "between": [1, 2], "default": 3 } } ] } }""", Config + "[0].a.fields[0].b.default: 3 is outside between [1, 2]")]
    [InlineData("""{ "a": { "type": "string", "description": "too short" } }""", Config + "[0].a.description: must be a string of 10–500 characters, got 9 characters")]
    [InlineData("""{ "a": { "type": "boolean", "one_of": [true] } }""", Config + "[0].a.one_of: only allowed on string, number and integer")]
    [InlineData("""{ "a": { "type": "string", "between": [1, 2] } }""", Config + "[0].a.between: only allowed on integer and number")]
    [InlineData("""{ "a": { "type": "integer", "default": 1.5 } }""", Config + "[0].a.default: 1.5 is not a value of type integer")]
    [InlineData("""{ "a": { "type": "integer", "default": 7, "between": [1, 5] } }""", Config + "[0].a.default: 7 is outside between [1, 5]")]
    [InlineData("""{ "a": { "type": "string", "default": "z", "one_of": ["x", "y"] } }""", Config + "[0].a.default: \"z\" is not one of")]
    [InlineData("""{ "a": { "type": "array", "elements": { "type": "integer" }, "default": ["1"] } }""", Config + "[0].a.default[0]: \"1\" is not a value of type integer")]
    [InlineData("""{ "a": { "type": "string" }, "b": { "type": "string" } }""", Config + "[0]: a field must be a single-key object, has 2 keys")]
    [InlineData("""{ "a": { "type": "array", "elements": { "type": "record", "fields": { "b": { "type": "string" } } } } }""", Config + "[0].a.elements.fields: must be an array")]
    [InlineData("""{ "a": { "type": "string", "custom_validator": "x" } }""", Config + "[0].a.custom_validator: not a Kong field attribute")]
    public void Validator_ABrokenField_FailsWithItsPath(string fields, string expected)
    {
        KongSchemaRuleException ex = Assert.Throws<KongSchemaRuleException>(() => KongSchemaValidator.ValidateDump(Dump(fields)));

        Assert.Contains(ex.Violations, v => v.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""["access","header_filter"]""", "1.0.0", "10", "p", "$.Plugins[0].Phases[1]: must be one of")]
    [InlineData("""["access"]""", "1.0", "10", "p", "$.Plugins[0].Version: must be a string \"x.y.z\"")]
    [InlineData("""["access"]""", "1.0.0", "10.5", "p", "$.Plugins[0].Priority: must be an integer")]
    [InlineData("""["access"]""", "1.0.0", "10", "q", "$.Plugins[0].Schema.name: must equal the plugin name")]
    [InlineData("""["log"]""", "1.0.0", "10", "p", "$.Plugins[0].Phases: must match the handlers [access]")]
    public void Validator_ABrokenPlugin_FailsWithItsPath(string phases, string version, string priority, string schemaName, string expected)
    {
        string json = Dump("""{ "a": { "type": "string" } }""", phases, $"\"{version}\"", priority, $"\"{schemaName}\"");

        KongSchemaRuleException ex = Assert.Throws<KongSchemaRuleException>(() => KongSchemaValidator.ValidateDump(json, ["access"]));

        Assert.Contains(ex.Violations, v => v.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validator_TheBareArrayFormOrTwoPlugins_Fails()
    {
        Assert.Throws<KongSchemaRuleException>(() => KongSchemaValidator.ValidateDump("[]"));
        KongSchemaRuleException two = Assert.Throws<KongSchemaRuleException>(() => KongSchemaValidator.ValidateDump("""{"Protocol":"MsgPack:1","Plugins":[{},{}]}"""));
        Assert.Contains("$.Plugins: must hold exactly one plugin, holds 2", two.Violations);
        KongSchemaRuleException protocol = Assert.Throws<KongSchemaRuleException>(() => KongSchemaValidator.ValidateDump(Dump("").Replace("MsgPack:1", "ProtoBuf:1")));
        Assert.Contains("$.Protocol: must be the string \"MsgPack:1\"", protocol.Violations);
    }
}
