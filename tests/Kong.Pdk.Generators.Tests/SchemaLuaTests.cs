using System.Text.Json;
using Kong.Pdk.Hosting;
using Kong.Pdk.PackageTests;
using Kong.Pdk.TestSupport;
using Xunit;

namespace Kong.Pdk.Generators.Tests;

/// <summary>schema.lua of generated schemas: the schema parts beside the config fields (record-valued entity checks,
/// the consumer restriction with its null) and the escape hatches (raw schema JSON, mutually_exclusive_subsets,
/// is_regex) load in LuaJIT to the same value as the -dump JSON.</summary>
public sealed class SchemaLuaTests
{
    [LuaJitFact]
    public void GeneratedSchema_LoadsInLuaJit_ToTheSameValueAsTheDump()
    {
        KongPluginDescriptor descriptor = TestCompiler.Descriptor(TestCompiler.Usings + Plugins.SchemaVocabulary, "Samples.Vocabulary.VocabularyPlugin");
        Assert.Empty(KongSchemaValidator.ValidateSchema(descriptor.SchemaJson, descriptor.Name));
        using JsonDocument json = JsonDocument.Parse(descriptor.SchemaJson);
        Assert.Equal(3, json.RootElement.GetProperty("entity_checks").GetArrayLength());
        string module = LuaSchemaWriter.Write(descriptor);
        Assert.Contains("eq = ngx.null,", module, StringComparison.Ordinal);
        LuaSchemaRoundTrip.AssertSame(json.RootElement, module);
    }
}
