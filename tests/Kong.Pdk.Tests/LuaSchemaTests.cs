using System.Text.Json;
using Kong.Pdk.Hosting;
using Kong.Pdk.TestSupport;

namespace Kong.Pdk.Tests;

/// <summary>schema.lua (-lua-schema): a Lua module that LuaJIT loads to the same value as the -dump schema JSON.</summary>
public sealed class LuaSchemaTests
{
    /// <summary>Every JSON shape and the strings that break naive Lua quoting.</summary>
    private const string EdgeCases = """
        {"name":"edge-plugin","fields":[
          {"protocols":{"type":"set","elements":{"type":"string","one_of":["grpc","http"]},"default":["http"]}},
          {"config":{"type":"record","required":true,"fields":[
            {"quotes":{"type":"string","default":"say \"hi\" and 'bye' \\ back\\slash"}},
            {"lines":{"type":"string","default":"one\ntwo\r\nthree\tfour"}},
            {"control":{"type":"string","default":"\u0001\u00012 \u001f\u007f"}},
            {"brackets":{"type":"string","default":"]] ]=] [[ [==[ --[[ comment ]]"}},
            {"unicode":{"type":"string","default":"héllo ☃ 😀 日本"}},
            {"end":{"type":"integer","default":-3}},
            {"with-dash":{"type":"number","default":0.1,"between":[-1.5,1e21]}},
            {"1":{"type":"number","default":1.0}},
            {"":{"type":"boolean","default":false}},
            {"flags":{"type":"boolean","default":true}},
            {"empty_array":{"type":"array","elements":{"type":"string"},"default":[]}},
            {"empty_map":{"type":"map","keys":{"type":"string"},"values":{"type":"string"},"default":{}}},
            {"nulls":{"type":"array","elements":{"type":"integer"},"default":[1,null,3]}},
            {"absent":{"type":"string","required":false,"default":null}},
            {"nested":{"type":"array","elements":{"type":"array","elements":{"type":"integer"}},"default":[[1,2],[],[3]]}},
            {"map":{"type":"map","keys":{"type":"string"},"values":{"type":"integer"},"default":{"a":1,"b c":2,"nil":3}}}
          ],
          "entity_checks":[{"at_least_one_of":["quotes","lines"]},{"conditional":{"if_field":"flags","if_match":{"eq":true},"then_field":"lines","then_match":{"required":true}}}]}}
        ]}
        """;

    [LuaJitFact]
    public void EdgeCases_LoadInLuaJit_ToTheSameValueAsTheJson()
    {
        var plugin = new SchemaPlugin("edge-plugin", EdgeCases);
        string module = LuaSchemaWriter.Write(plugin);
        using JsonDocument json = JsonDocument.Parse(EdgeCases);
        LuaSchemaRoundTrip.AssertSame(json.RootElement, module);
    }

    [Fact]
    public void Module_IsReadable_KeysAreIdentifiersWhereLuaAllows_NullIsNgxNull()
    {
        string module = LuaSchemaWriter.Write(new SchemaPlugin("edge-plugin", EdgeCases));
        Assert.StartsWith("-- schema.lua of the Kong plugin edge-plugin 1.0.0", module);
        Assert.Contains("\nreturn {\n  name = \"edge-plugin\",\n", module);
        Assert.Contains("[\"end\"] = {", module);
        Assert.Contains("[\"with-dash\"] = {", module);
        Assert.Contains("[\"1\"] = {", module);
        Assert.Contains("default = ngx.null,", module);
        Assert.Contains("default = 1.0,", module);
        Assert.Contains("\"\\001\\0012 \\031\\127\"", module);
        Assert.Contains("\"héllo ☃ 😀 日本\"", module);
        Assert.EndsWith("}\n", module);
    }

    [Fact]
    public void Module_OfAnEmptyRecord_IsEmptyTables()
    {
        var plugin = new SchemaPlugin("x", """{"name":"x","fields":[{"config":{"type":"record","fields":[]}}]}""");
        Assert.Contains("fields = {},", LuaSchemaWriter.Write(plugin));
    }

    [Fact]
    public void LuaSchemaFlags_AreParsed()
    {
        HostCommandLine line = HostCommandLine.Parse(["-lua-schema", "--lua-schema-dir", "/tmp/out"], out string? error);
        Assert.Null(error);
        Assert.True(line.LuaSchema);
        Assert.Equal("/tmp/out", line.LuaSchemaDirectory);
        HostCommandLine.Parse(["-lua-schema-dir"], out error);
        Assert.Contains("needs a value", error);
    }

    [Fact]
    public async Task LuaSchema_WithTwoPluginsAndNoSelection_IsAUsageError()
    {
        int exit = await KongPluginHost.RunAsync(["-lua-schema"], new SchemaPlugin("a", "{}"), new SchemaPlugin("b", "{}"));
        Assert.Equal(2, exit);
    }

    [Fact]
    public async Task LuaSchemaDir_WritesOneFilePerPluginServed_AndLeavesAnUnchangedFileAlone()
    {
        string directory = Directory.CreateTempSubdirectory("kong-lua-schema-dir-").FullName;
        try
        {
            var a = new SchemaPlugin("a-plugin", """{"name":"a-plugin","fields":[]}""");
            var b = new SchemaPlugin("b-plugin", """{"name":"b-plugin","fields":[]}""");
            Assert.Equal(0, await KongPluginHost.RunAsync(["-lua-schema-dir", directory], a, b));
            Assert.Equal(["a-plugin.schema.lua", "b-plugin.schema.lua"], Directory.GetFiles(directory).Select(Path.GetFileName).Order());
            Assert.Equal(LuaSchemaWriter.Write(a), File.ReadAllText(Path.Combine(directory, "a-plugin.schema.lua")));

            string path = Path.Combine(directory, "b-plugin.schema.lua");
            var old = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            File.SetLastWriteTimeUtc(path, old);
            Assert.Equal(0, await KongPluginHost.RunAsync(["-lua-schema-dir", directory, "-plugin", "b-plugin"], a, b));
            Assert.Equal(old, File.GetLastWriteTimeUtc(path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private sealed class SchemaPlugin(string name, string schema) : KongPluginDescriptor
    {
        public override string Name => name;

        public override string Version => "1.0.0";

        public override int Priority => 1;

        public override IReadOnlyList<KongPhase> Phases => [KongPhase.Access];

        public override string SchemaJson => schema;

        public override IKongPluginInstance CreateInstance(ReadOnlySpan<byte> configJson) => throw new NotSupportedException();
    }
}
