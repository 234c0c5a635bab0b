using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using Kong.Pdk.Generators.Diagnostics;
using Kong.Pdk.Hosting;
using Kong.Pdk.PackageTests;
using Kong.Pdk.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;
using Verify = Kong.Pdk.Generators.Tests.Verifiers;

namespace Kong.Pdk.Generators.Tests;

/// <summary>Issue 10's bugs: C# that builds must give a schema Kong accepts, and a binder that does what the author
/// expects. Each schema is also checked with the package tests' validator, which models Kong's rules.</summary>
public class KongRulesTests
{
    private static KongPluginDescriptor Plugin(string members, string extra = "", string name = "p")
        => TestCompiler.Descriptor(TestCompiler.Usings + $$"""
            [KongPlugin("{{name}}")]
            public partial class P
            {
            {{members}}
                public ValueTask Access(IKong kong) => default;
            }
            {{extra}}
            """, "P");

    private static JsonObject Field(KongPluginDescriptor descriptor, params string[] path)
    {
        JsonNode fields = JsonNode.Parse(descriptor.SchemaJson)!["fields"]![0]!["config"]!["fields"]!;
        JsonObject? field = null;
        foreach (string name in path)
        {
            field = fields.AsArray().Select(f => f!.AsObject()).Single(f => f.ContainsKey(name))[name]!.AsObject();
            fields = field["fields"] ?? new JsonArray();
        }

        return field!;
    }

    private static void AssertKongAccepts(KongPluginDescriptor descriptor)
    {
        List<string> violations = KongSchemaValidator.ValidateSchema(descriptor.SchemaJson, descriptor.Name);
        Assert.True(violations.Count == 0, string.Join("\n", violations) + "\n" + descriptor.SchemaJson);
    }

    private static object Bind(KongPluginDescriptor descriptor, string json) => descriptor.CreateInstance(Encoding.UTF8.GetBytes(json));

    private static object? Get(object target, string name) => target.GetType().GetProperty(name)!.GetValue(target);

    // ---------------------------------------------------------------- bug 1: empty string defaults

    [Fact]
    public void EmptyStringDefaults_GetLenMinZero_AndKongAcceptsTheSchema()
    {
        KongPluginDescriptor descriptor = Plugin("""
                public string Prefix { get; set; } = "";
                [KongDefault("")] public string Suffix { get; set; } = Compute();
                [KongLength(Max = 8)] public string Short { get; set; } = "";
                public List<string> Parts { get; set; } = ["a", ""];
                public Inner Inner { get; set; } = new();
                public string NotEmpty { get; set; } = "x";
                private static string Compute() => "computed";
            """, "public sealed class Inner { public string Label { get; set; } = \"\"; }");

        Assert.Equal("""{"type":"string","default":"","len_min":0}""", Field(descriptor, "prefix").ToJsonString());
        Assert.Equal("""{"type":"string","default":"","len_min":0}""", Field(descriptor, "suffix").ToJsonString());
        Assert.Equal("""{"type":"string","default":"","len_min":0,"len_max":8}""", Field(descriptor, "short").ToJsonString());
        Assert.Equal("""{"type":"array","default":["a",""],"elements":{"type":"string","len_min":0}}""", Field(descriptor, "parts").ToJsonString());
        Assert.Equal("""{"type":"string","default":"","len_min":0}""", Field(descriptor, "inner", "label").ToJsonString());
        Assert.Equal("""{"type":"string","default":"x"}""", Field(descriptor, "not_empty").ToJsonString());
        AssertKongAccepts(descriptor);
    }

    [Fact]
    public Task EmptyStringDefault_WithAnExplicitMinimumLength_IsKONG0102() => Verify.AnalyzeAsync<ConfigPropertyAnalyzer>("""
        [KongPlugin("p")] public partial class P
        {
            [KongLength(Min = 1)] public string {|KONG0102:Name|} { get; set; } = "";
            public ValueTask Access(IKong kong) => default;
        }
        """);

    // ---------------------------------------------------------------- bug 2: Lua patterns

    [Fact]
    public Task InvalidLuaPattern_IsKONG0104_AndADefaultThatDoesNotMatch_IsKONG0102() => Verify.AnalyzeAsync<ConfigPropertyAnalyzer>("""
        [KongPlugin("p")] public partial class P
        {
            [{|KONG0104:KongLuaPattern("[a-")|}] public string A { get; set; } = "a";
            [{|KONG0104:KongLuaPattern("(%d")|}] public string B { get; set; } = "1";
            [{|KONG0104:KongLuaPattern("%")|}] public string C { get; set; } = "1";
            [KongLuaPattern("^%d+$")] public string {|KONG0102:D|} { get; set; } = "12a";
            [KongLuaPattern("^[%w-]+$")] public string E { get; set; } = "ok-1";
            public ValueTask Access(IKong kong) => default;
        }
        """);

    [Fact]
    public void InvalidLuaPattern_IsNotEmitted()
    {
        // The generator leaves out what the analyzer reports, so a build that ignores the error still gives no pattern.
        Compilation output = TestCompiler.Run(TestCompiler.Create(TestCompiler.Usings + """
            [KongPlugin("p")] public partial class P
            {
                [KongLuaPattern("[a-")] public string A { get; set; } = "a";
                public ValueTask Access(IKong kong) => default;
            }
            """)).Output;
        Assert.DoesNotContain("[a-", output.SyntaxTrees.Last().ToString(), StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- bug 3: nullable records

    [Fact]
    public void NullableRecord_IsRequiredFalse_AndBindsNullWhenAbsentOrNull()
    {
        KongPluginDescriptor descriptor = Plugin("""
                public Upstream? Backup { get; set; }
                public Upstream Primary { get; set; } = new();
            """, "public sealed class Upstream { public string Host { get; set; } = \"localhost\"; public Tls? Next { get; set; } }\n"
                + "public sealed class Tls { public bool Verify { get; set; } = true; }");

        Assert.False((bool)Field(descriptor, "backup")["required"]!);
        Assert.True((bool)Field(descriptor, "primary")["required"]!);
        Assert.False((bool)Field(descriptor, "primary", "next")["required"]!);
        AssertKongAccepts(descriptor);

        // What Kong's Admin API accepts for this schema: an optional record may be null or absent.
        Assert.Empty(KongSchemaValidator.ValidateConfig(descriptor.SchemaJson, """{"backup":null,"primary":{"host":"a","next":null}}"""));
        Assert.Contains("config.primary: required field missing", KongSchemaValidator.ValidateConfig(descriptor.SchemaJson, """{"primary":null}"""));

        Assert.Null(Get(Bind(descriptor, """{"primary":{"host":"a"}}"""), "Backup"));
        Assert.Null(Get(Bind(descriptor, """{"backup":null,"primary":{"host":"a"}}"""), "Backup"));
        Assert.Equal("b", Get(Get(Bind(descriptor, """{"backup":{"host":"b"},"primary":{"host":"a"}}""")!, "Backup")!, "Host"));
    }

    // ---------------------------------------------------------------- bug 4: enums

    [Fact]
    public Task EnumMembersThatCollideAfterSnakeCase_AreKONG0101() => Verify.AnalyzeAsync<ConfigPropertyAnalyzer>("""
        [KongPlugin("p")] public partial class P
        {
            public Scheme {|KONG0101:Scheme|} { get; set; }
            public ValueTask Access(IKong kong) => default;
        }
        public enum Scheme { HTTP, Http }
        """);

    [Fact]
    public Task FlagsCombinationOrUndefinedEnumDefault_IsKONG0102() => Verify.AnalyzeAsync<ConfigPropertyAnalyzer>("""
        [KongPlugin("p")] public partial class P
        {
            public Methods {|KONG0102:Allowed|} { get; set; } = Methods.Get | Methods.Head;
            public Methods Single { get; set; } = Methods.Get;
            public Level {|KONG0102:Odd|} { get; set; } = (Level)7;
            public ValueTask Access(IKong kong) => default;
        }
        [Flags] public enum Methods { Get = 1, Head = 2 }
        public enum Level { Low, High }
        """);

    // ---------------------------------------------------------------- bug 5: generated code compiles under every setting

    [Fact]
    public void CSharpRequiredMembers_CompileCleanly_AndMustBeInTheConfiguration()
    {
        KongPluginDescriptor descriptor = Plugin("""
                public required string Host { get; set; }
                public required string? Note { get; init; }
                public int Port { get; set; } = 80;
                public required Target Target { get; set; }
            """, "public sealed class Target { public required int Weight { get; set; } }");

        Assert.True((bool)Field(descriptor, "host")["required"]!);
        Assert.Null(Field(descriptor, "note")["required"]);
        AssertKongAccepts(descriptor);
        object plugin = Bind(descriptor, """{"host":"h","target":{"weight":3}}""");
        Assert.Equal("h", Get(plugin, "Host"));
        Assert.Null(Get(plugin, "Note"));
        Assert.Equal(80, Get(plugin, "Port"));
        Assert.Equal(3, Get(Get(plugin, "Target")!, "Weight"));
        Assert.Equal("invalid config field 'host': the field is required but missing",
            Assert.Throws<KongConfigException>(() => Bind(descriptor, """{"target":{"weight":3}}""")).Message);
    }

    [Fact]
    public Task CSharpRequiredMemberThatIsNotConfiguration_IsKONG0101() => Verify.AnalyzeAsync<ConfigPropertyAnalyzer>("""
        [KongPlugin("p")] public partial class P
        {
            public required int {|KONG0101:Field|};
            public ValueTask Access(IKong kong) => default;
        }
        """);

    [Fact]
    public void ObsoleteConfiguration_CompilesWithoutWarnings()
    {
        TestCompiler.RunClean(TestCompiler.Usings + """
            [Obsolete("use Next")] public sealed class Old { public int X { get; set; } }
            public enum Mode { A, [Obsolete] B }
            [Obsolete("going away")]
            [KongPlugin("p")] public partial class P
            {
                [Obsolete("use Name")] public string Title { get; set; } = "t";
                [Obsolete] public Old? Legacy { get; set; }
                public Mode Mode { get; set; }
                public ValueTask Access(IKong kong) => default;
            }
            """, OutputKind.ConsoleApplication);
    }

    [Fact]
    public Task ObsoleteAsErrorProperty_IsKONG0101() => Verify.AnalyzeAsync<ConfigPropertyAnalyzer>("""
        [KongPlugin("p")] public partial class P
        {
            [Obsolete("gone", true)] public string {|KONG0101:Title|} { get; set; } = "t";
            public ValueTask Access(IKong kong) => default;
        }
        """);

    [Fact]
    public async Task LanguageVersionBelow11_GivesOneDiagnostic_AndNoErrorsInGeneratedCode()
    {
        const string source = """
            using System.Threading.Tasks;
            using Kong.Pdk;
            [KongPlugin("p")] public partial class P
            {
                public string Name { get; set; } = "x";
                public ValueTask Access(IKong kong) => default;
            }
            """;
        var parse = new CSharpParseOptions(LanguageVersion.CSharp10);
        CSharpCompilation compilation = CSharpCompilation.Create("Old", [CSharpSyntaxTree.ParseText(source, parse)], TestCompiler.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Microsoft.CodeAnalysis.GeneratorDriver driver = CSharpGeneratorDriver.Create([new PluginGenerator().AsSourceGenerator()], parseOptions: parse);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);

        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        var analyzers = output.WithAnalyzers([new LanguageVersionAnalyzer()]);
        Diagnostic diagnostic = Assert.Single(await analyzers.GetAnalyzerDiagnosticsAsync());
        Assert.Equal("KONG0110", diagnostic.Id);
        Assert.Contains("C# 10.0", diagnostic.GetMessage(), StringComparison.Ordinal);

        // C# 11 is enough.
        CSharpCompilation eleven = compilation.WithOptions(compilation.Options).RemoveAllSyntaxTrees()
            .AddSyntaxTrees(CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.CSharp11)));
        CSharpGeneratorDriver.Create([new PluginGenerator().AsSourceGenerator()], parseOptions: new CSharpParseOptions(LanguageVersion.CSharp11))
            .RunGeneratorsAndUpdateCompilation(eleven, out Compilation elevenOutput, out _);
        TestCompiler.AssertCompilesCleanly(elevenOutput);
        Assert.Equal(3, elevenOutput.SyntaxTrees.Count()); // the source, the plugin, the library's export list
    }

    // ---------------------------------------------------------------- bug 6: Main

    [Fact]
    public void MembersNamedMainThatAreNotStaticMethods_KeepTheGeneratedEntryPoint()
    {
        TestCompiler.Result result = TestCompiler.RunClean(TestCompiler.Usings + """
            public enum Upstream { Main, Backup }
            public sealed class Holder { public int Main { get; set; } public void Run() { } }
            [KongPlugin("p")] public partial class P
            {
                public Upstream Upstream { get; set; } = Upstream.Main;
                public ValueTask Access(IKong kong) => default;
            }
            """, OutputKind.ConsoleApplication);
        Assert.Contains(result.Files.Keys, k => k.EndsWith("KongPluginEntryPoint", StringComparison.Ordinal));
        Assert.NotNull(result.Output.GetEntryPoint(CancellationToken.None));
    }

    // ---------------------------------------------------------------- bug 8: binder

    [Theory]
    [InlineData("""{"name":"a"} x""")]
    [InlineData("""{"name":"a"}{}""")]
    [InlineData("""{"name":"a"}]""")]
    public void TrailingDataAfterTheRootObject_IsRejected(string json)
    {
        KongPluginDescriptor descriptor = Plugin("public string Name { get; set; } = \"n\";");
        var exception = Assert.Throws<KongConfigException>(() => Bind(descriptor, json));
        Assert.StartsWith("the configuration ", exception.Message, StringComparison.Ordinal);
        Assert.Equal("a", Get(Bind(descriptor, """{"name":"a"}  """ + "\n"), "Name"));
    }

    [Fact]
    public void RequiredFieldInitialisedWithNullForgiving_MustBePresent()
    {
        KongPluginDescriptor descriptor = Plugin("""
                public string Name { get; set; } = null!;
                public Inner Inner { get; set; } = default!;
                public string Other { get; set; } = "x";
            """, "public sealed class Inner { public int X { get; set; } = 1; }");

        Assert.True((bool)Field(descriptor, "name")["required"]!);
        Assert.Equal("invalid config field 'name': the field is required but missing",
            Assert.Throws<KongConfigException>(() => Bind(descriptor, """{"inner":{}}""")).Message);
        Assert.Equal("invalid config field 'inner': the field is required but missing",
            Assert.Throws<KongConfigException>(() => Bind(descriptor, """{"name":"n"}""")).Message);
        Assert.Equal("n", Get(Bind(descriptor, """{"name":"n","inner":{}}"""), "Name"));
    }

    // ---------------------------------------------------------------- vocabulary: protocols and entity checks

    private static JsonNode? TopField(KongPluginDescriptor descriptor, string name)
        => JsonNode.Parse(descriptor.SchemaJson)!["fields"]!.AsArray().Select(f => f!.AsObject()).SingleOrDefault(f => f.ContainsKey(name))?[name];

    [Fact]
    public void Protocols_ComeFromThePhases_OrFromKongProtocols()
    {
        const string all = """["grpc","grpcs","http","https","tcp","tls","tls_passthrough","udp","ws","wss"]""";
        KongPluginDescriptor http = Plugin("public int A { get; set; }");
        Assert.Null(TopField(http, "protocols")); // Kong's default: grpc, grpcs, http, https

        KongPluginDescriptor stream = TestCompiler.Descriptor(TestCompiler.Usings + """
            [KongPlugin("s")] public partial class S { public ValueTask Preread(IKong kong) => default; public ValueTask Log(IKong kong) => default; }
            """, "S");
        Assert.Equal("""{"type":"set","required":true,"default":["tcp","tls","tls_passthrough","udp"],"elements":{"type":"string","one_of":""" + all + "}}",
            TopField(stream, "protocols")!.ToJsonString());
        AssertKongAccepts(stream);

        KongPluginDescriptor both = TestCompiler.Descriptor(TestCompiler.Usings + """
            [KongPlugin("b")] public partial class B { public ValueTask Preread(IKong kong) => default; public ValueTask Access(IKong kong) => default; }
            """, "B");
        Assert.Equal("""["grpc","grpcs","http","https","tcp","tls","tls_passthrough","udp"]""", TopField(both, "protocols")!["default"]!.ToJsonString());

        KongPluginDescriptor explicitly = TestCompiler.Descriptor(TestCompiler.Usings + """
            [KongProtocols("https", "wss")]
            [KongPlugin("e")] public partial class E { public ValueTask Preread(IKong kong) => default; }
            """, "E");
        Assert.Equal("""["https","wss"]""", TopField(explicitly, "protocols")!["default"]!.ToJsonString());
        AssertKongAccepts(explicitly);
        Assert.StartsWith("""{"name":"e","fields":[{"protocols":""", explicitly.SchemaJson, StringComparison.Ordinal);
    }

    [Fact]
    public void NoConsumerRouteService_AreForeignFieldsWithEqNull_BesideConfig()
    {
        KongPluginDescriptor descriptor = TestCompiler.Descriptor(TestCompiler.Usings + """
            [KongNoConsumer, KongNoService]
            [KongPlugin("auth")] public partial class A { public ValueTask Preread(IKong kong) => default; }
            """, "A");

        Assert.StartsWith("""{"name":"auth","fields":[{"consumer":{"type":"foreign","reference":"consumers","eq":null}},"""
            + """{"service":{"type":"foreign","reference":"services","eq":null}},{"protocols":""", descriptor.SchemaJson, StringComparison.Ordinal);
        Assert.Null(TopField(descriptor, "route"));
        AssertKongAccepts(descriptor);
        KongDumpInfo info = KongSchemaValidator.ValidateDump(Encoding.UTF8.GetString(PluginDump.Write([descriptor])));
        Assert.Equal("auth", info.Name);

        KongPluginDescriptor route = TestCompiler.Descriptor(TestCompiler.Usings + """
            [KongNoRoute] [KongPlugin("r")] public partial class R { public ValueTask Access(IKong kong) => default; }
            """, "R");
        Assert.StartsWith("""{"name":"r","fields":[{"route":{"type":"foreign","reference":"routes","eq":null}},{"config":""", route.SchemaJson, StringComparison.Ordinal);
        AssertKongAccepts(route);
    }

    [Fact]
    public void EntityChecks_AreWrittenWithConfigPaths_AndKongAcceptsThem()
    {
        KongPluginDescriptor descriptor = TestCompiler.Descriptor(TestCompiler.Usings + """
            [KongAtLeastOneOf("second", "minute")]
            [KongOnlyOneOf("key", "key_file")]
            [KongMutuallyRequired("user", "password")]
            [KongMutuallyExclusive("allow", "deny")]
            [KongDistinct("upstream.primary", "upstream.backup")]
            [KongPlugin("checks")]
            public partial class C
            {
                public int? Second { get; set; }
                public int? Minute { get; set; }
                public string? Key { get; set; }
                public string? KeyFile { get; set; }
                public string? User { get; set; }
                public string? Password { get; set; }
                public List<string>? Allow { get; set; }
                public List<string>? Deny { get; set; }
                public Hosts Upstream { get; set; } = new();
                public ValueTask Access(IKong kong) => default;
            }
            public sealed class Hosts { public string Primary { get; set; } = "a"; public string Backup { get; set; } = "b"; }
            """, "C");

        Assert.Equal("""[{"at_least_one_of":["config.second","config.minute"]},{"only_one_of":["config.key","config.key_file"]},"""
            + """{"mutually_required":["config.user","config.password"]},{"mutually_exclusive":["config.allow","config.deny"]},"""
            + """{"distinct":["config.upstream.primary","config.upstream.backup"]}]""",
            JsonNode.Parse(descriptor.SchemaJson)!["entity_checks"]!.ToJsonString());
        AssertKongAccepts(descriptor);
    }

    [Fact]
    public Task InvalidProtocolsOrEntityChecks_AreKONG0111() => Verify.AnalyzeAsync<ConfigPropertyAnalyzer>("""
        [{|KONG0111:KongProtocols("http", "quic")|}]
        [{|KONG0111:KongAtLeastOneOf("Second", "minute")|}]
        [{|KONG0111:KongOnlyOneOf("minute")|}]
        [{|KONG0111:KongDistinct("minute.x", "second")|}]
        [KongMutuallyExclusive("minute", "second")]
        [KongPlugin("p")] public partial class P
        {
            public int? Second { get; set; }
            public int? Minute { get; set; }
            public ValueTask Access(IKong kong) => default;
        }
        """);

    [Fact]
    public void SchemaJson_IsMergedIntoTheField_AndKongAcceptsIt()
    {
        KongPluginDescriptor descriptor = Plugin(""""
                [KongSchemaJson("""{"uuid": true, "auto": true}""")] public string? RequestId { get; set; }
                [KongSchemaJson("""{ "len_min": 2, "unique": true, "unique_across_ws": true }""")] public string Code { get; set; } = "ab";
                [KongSchemaJson("""{"deprecation": {"message": "use code", "removal_in_version": "4.0", "replaced_with": [{"path": ["code"]}]}}""")]
                public string? Old { get; set; }
                [KongSchemaJson("""{"transient": true, "gt": 0}""")] public double Ratio { get; set; } = 0.5;
            """");

        Assert.Equal("""{"type":"string","uuid":true,"auto":true}""", Field(descriptor, "request_id").ToJsonString());
        Assert.Equal("""{"type":"string","default":"ab","len_min":2,"unique":true,"unique_across_ws":true}""", Field(descriptor, "code").ToJsonString());
        Assert.Equal("""{"type":"string","deprecation":{"message":"use code","removal_in_version":"4.0","replaced_with":[{"path":["code"]}]}}""",
            Field(descriptor, "old").ToJsonString());
        Assert.Equal("""{"type":"number","default":0.5,"transient":true,"gt":0}""", Field(descriptor, "ratio").ToJsonString());
        AssertKongAccepts(descriptor);
    }

    [Fact]
    public Task SchemaJson_Mistakes_AreKONG0112ToKONG0114() => Verify.AnalyzeAsync<ConfigPropertyAnalyzer>(""""
        [KongPlugin("p")] public partial class P
        {
            [{|KONG0112:KongSchemaJson("""{"uuid": true""")|}] public string? NotJson { get; set; }
            [{|KONG0112:KongSchemaJson("[1]")|}] public string? NotAnObject { get; set; }
            [{|KONG0112:KongSchemaJson("{}")|}] public string? Empty { get; set; }
            [{|KONG0112:KongSchemaJson("""{"a": 1, "a": 2}""")|}] public string? TwoKeys { get; set; }
            [{|KONG0113:KongSchemaJson("""{"colour": "red"}""")|}] public string? Unknown { get; set; }
            [{|KONG0113:KongSchemaJson("""{"between": [1, 2]}""")|}] public string? WrongType { get; set; }
            [{|KONG0113:KongSchemaJson("""{"custom_validator": "f"}""")|}] public string? Function { get; set; }
            [{|KONG0113:KongSchemaJson("""{"description": "short"}""")|}] public string? Short { get; set; }
            [{|KONG0113:KongSchemaJson("""{"unique": true}""")|}] public bool Flag { get; set; }
            [{|KONG0113:KongSchemaJson("""{"unique_across_ws": true}""")|}] public string? Across { get; set; }
            [{|KONG0113:KongSchemaJson("""{"match": "[a-"}""")|}] public string? Pattern { get; set; }
            [{|KONG0113:KongSchemaJson("""{"len_min": 5}""")|}] public string BreaksDefault { get; set; } = "ab";
            [{|KONG0113:KongSchemaJson("""{"one_of": ["a", 1]}""")|}] public string? MixedOneOf { get; set; }
            [{|KONG0113:KongSchemaJson("""{"deprecation": {"message": "m"}}""")|}] public string? Deprecated { get; set; }
            [{|KONG0114:KongSchemaJson("""{"type": "string"}""")|}] public string? Type { get; set; }
            [{|KONG0114:KongSchemaJson("""{"required": true}""")|}] public string? Required { get; set; }
            [{|KONG0114:KongSchemaJson("""{"between": [0, 5]}""")|}] public int Count { get; set; }
            [KongLength(Max = 3), {|KONG0114:KongSchemaJson("""{"len_max": 4}""")|}] public string? Twice { get; set; }
            public ValueTask Access(IKong kong) => default;
        }
        """");

    [Fact]
    public Task IsRegex_DefaultMustCompile_WithDotNetRegexAsTheStandInForPcre() => Verify.AnalyzeAsync<ConfigPropertyAnalyzer>("""
        [KongPlugin("p")] public partial class P
        {
            [KongIsRegex] public string {|KONG0102:Broken|} { get; set; } = "[a-";
            [KongIsRegex] public string {|KONG0102:Dangling|} { get; set; } = "*x";
            [KongIsRegex] public string {|KONG0102:Balancing|} { get; set; } = "(?<a-b>x)";
            [KongIsRegex, {|KONG0102:KongDefault("(unclosed")|}] public string FromAttribute { get; set; } = "x";
            [KongIsRegex] public string Fine { get; set; } = @"^/api/v\d+(/[a-z_]+)*$";
            [KongIsRegex] public string Possessive { get; set; } = "a++b"; // PCRE-only syntax: not judged
            [KongIsRegex] public string Escapes { get; set; } = @"\h+\x{41}\R"; // PCRE-only escapes: not judged
            [KongIsRegex] public string? None { get; set; }
            public ValueTask Access(IKong kong) => default;
        }
        """);

    [Fact]
    public void IsRegex_ValidDefaults_AreWritten_AndKongAccepts()
    {
        KongPluginDescriptor descriptor = Plugin("""
                [KongIsRegex] public string Path { get; set; } = @"^/api/v\d+(/[a-z_]+)*$";
                [KongIsRegex] public string Possessive { get; set; } = "a++b";
            """);
        Assert.Contains("""{"path":{"type":"string","default":"^/api/v\\d+(/[a-z_]+)*$","is_regex":true}}""", descriptor.SchemaJson, StringComparison.Ordinal);
        AssertKongAccepts(descriptor);
        Assert.Contains(KongSchemaValidator.ValidateSchema(descriptor.SchemaJson.Replace("a++b", "[a-"), "p"),
            v => v.Contains("is not a regular expression (is_regex)", StringComparison.Ordinal));
    }

    [Fact]
    public void MutuallyExclusiveSubsets_AreWritten_AndKongAcceptsThem()
    {
        KongPluginDescriptor descriptor = Plugin("""
                [KongMutuallyExclusiveSubset("http", "https"), KongMutuallyExclusiveSubset("tcp", "tls")]
                public HashSet<string> Kinds { get; set; } = ["http", "https", "other"];
                [KongMutuallyExclusiveSubset(Mode.Fast), KongMutuallyExclusiveSubset(Mode.Safe, Mode.Slow)]
                public List<Mode>? Modes { get; set; }
            """, "public enum Mode { Fast, Safe, Slow }");

        Assert.Equal("""[["http","https"],["tcp","tls"]]""", Field(descriptor, "kinds")["mutually_exclusive_subsets"]!.ToJsonString());
        Assert.Equal("""[["fast"],["safe","slow"]]""", Field(descriptor, "modes")["mutually_exclusive_subsets"]!.ToJsonString());
        AssertKongAccepts(descriptor);
    }

    [Fact]
    public Task MutuallyExclusiveSubsets_Mistakes_AreKONG0104OrKONG0102() => Verify.AnalyzeAsync<ConfigPropertyAnalyzer>("""
        [KongPlugin("p")] public partial class P
        {
            [{|KONG0104:KongMutuallyExclusiveSubset("a")|}] public HashSet<string>? One { get; set; }
            [{|KONG0104:KongMutuallyExclusiveSubset("a")|}, {|KONG0104:KongMutuallyExclusiveSubset("b")|}] public string? NotASet { get; set; }
            [KongMutuallyExclusiveSubset("a"), {|KONG0104:KongMutuallyExclusiveSubset("b", "a")|}] public HashSet<string>? Overlap { get; set; }
            [KongMutuallyExclusiveSubset("a"), {|KONG0104:KongMutuallyExclusiveSubset(1)|}] public HashSet<string>? WrongType { get; set; }
            [KongMutuallyExclusiveSubset("a"), KongMutuallyExclusiveSubset("b")] public HashSet<string> {|KONG0102:Both|} { get; set; } = ["a", "b"];
            public ValueTask Access(IKong kong) => default;
        }
        """);

    [Fact]
    public void RecordEntityChecks_AreWrittenWithConfigPaths_AndKongAcceptsThem()
    {
        KongPluginDescriptor descriptor = TestCompiler.Descriptor(TestCompiler.Usings + """"
            [KongConditional("policy", """{ "eq": "redis" }""", "redis.host", """{"required":true}""", ThenErr = "needed when %s is redis")]
            [KongConditional("limit", """{"between": [1, 10]}""", "tags", """{"contains": "low", "len_max": 3}""")]
            [KongConditionalAtLeastOneOf("policy", """{"one_of": ["redis"]}""", "redis.host", "redis.socket", ThenErr = "set one of %s",
                ElseMatch = """{"eq": "local"}""", ElseThenAtLeastOneOf = new[] { "path" }, ElseThenErr = "100%% sure: %s")]
            [KongMutuallyExclusiveSets(new[] { "path" }, new[] { "redis.host", "redis.socket" })]
            [KongPlugin("rc")]
            public partial class C
            {
                public Policy Policy { get; set; } = Policy.Local;
                public int? Limit { get; set; }
                public HashSet<string>? Tags { get; set; }
                public string? Path { get; set; }
                public Redis Redis { get; set; } = new();
                public ValueTask Access(IKong kong) => default;
            }
            public enum Policy { Local, Redis }
            public sealed class Redis { public string? Host { get; set; } public string? Socket { get; set; } }
            """", "C");

        Assert.Equal("""[{"conditional":{"if_field":"config.policy","if_match":{"eq":"redis"},"then_field":"config.redis.host","then_match":{"required":true},"then_err":"needed when %s is redis"}},"""
            + """{"conditional":{"if_field":"config.limit","if_match":{"between":[1,10]},"then_field":"config.tags","then_match":{"contains":"low","len_max":3}}},"""
            + """{"conditional_at_least_one_of":{"if_field":"config.policy","if_match":{"one_of":["redis"]},"then_at_least_one_of":["config.redis.host","config.redis.socket"],"then_err":"set one of %s","else_match":"""
            + """{"eq":"local"},"else_then_at_least_one_of":["config.path"],"else_then_err":"100%% sure: %s"}},"""
            + """{"mutually_exclusive_sets":{"set1":["config.path"],"set2":["config.redis.host","config.redis.socket"]}}]""",
            JsonNode.Parse(descriptor.SchemaJson)!["entity_checks"]!.ToJsonString());
        AssertKongAccepts(descriptor);
    }

    [Fact]
    public Task InvalidRecordEntityChecks_AreKONG0111() => Verify.AnalyzeAsync<ConfigPropertyAnalyzer>("""
        [{|KONG0111:KongConditional("mode", "{\"eq\": \"fast\"", "limit", "{\"required\": true}")|}]
        [{|KONG0111:KongConditional("mode", "{\"eq\": \"quick\"}", "limit", "{\"required\": true}")|}]
        [{|KONG0111:KongConditional("mode", "{\"between\": [1, 2]}", "limit", "{\"required\": true}")|}]
        [{|KONG0111:KongConditional("mode", "{\"eq\": \"fast\"}", "limit", "{\"description\": \"a description\"}")|}]
        [{|KONG0111:KongConditional("mode", "{\"eq\": \"fast\"}", "limit", "{\"match\": \"[a-\"}")|}]
        [{|KONG0111:KongConditional("mode", "{\"eq\": \"fast\"}", "Limit", "{\"required\": true}")|}]
        [{|KONG0111:KongConditional("mode", "[]", "limit", "{\"required\": true}")|}]
        [{|KONG0111:KongConditional("mode", "{\"eq\": \"fast\"}", "limit", "{\"required\": true}", ThenErr = "%d")|}]
        [{|KONG0111:KongConditionalAtLeastOneOf("mode", "{\"eq\": \"fast\"}", "limit", ElseThenAtLeastOneOf = new[] { "name" })|}]
        [{|KONG0111:KongConditionalAtLeastOneOf("mode", "{\"eq\": \"fast\"}", "limit", ElseMatch = "{\"eq\": \"slow\"}")|}]
        [{|KONG0111:KongConditionalAtLeastOneOf("mode", "{\"eq\": \"fast\"}")|}]
        [{|KONG0111:KongMutuallyExclusiveSets(new[] { "name" }, new[] { "limit", "name" })|}]
        [{|KONG0111:KongMutuallyExclusiveSets(new string[0], new[] { "limit" })|}]
        [KongConditional("mode", "{\"eq\": \"fast\"}", "limit", "{\"required\": true, \"gt\": 0}")]
        [KongPlugin("p")] public partial class P
        {
            public Mode Mode { get; set; }
            public int? Limit { get; set; }
            public string? Name { get; set; }
            public ValueTask Access(IKong kong) => default;
        }
        public enum Mode { Fast, Slow }
        """);

    // ---------------------------------------------------------------- vocabulary: field validators and attributes

    [Fact]
    public void FieldValidatorsAndAttributes_AreWritten_AndKongAcceptsThem()
    {
        KongPluginDescriptor descriptor = Plugin("""
                [KongNotOneOf("root", "admin")] public string User { get; set; } = "kong";
                [KongNotOneOf(0)] public int Port { get; set; } = 80;
                [KongEquals(true)] public bool Accept { get; set; } = true;
                [KongNotEquals("none")] public string Mode { get; set; } = "all";
                [KongStartsWith("https://")] public string Url { get; set; } = "https://x";
                [KongNotLuaPattern("%s")] public string Token { get; set; } = "abc";
                [KongMatch("^%a", Err = "must start with a letter"), KongMatch("%d$"), KongMatch("%.%.", None = true, Err = "no double dots")]
                public string Name { get; set; } = "a1";
                [KongMatchAny("^v%d+$", "^latest$", Err = "a version or latest")] public string Version { get; set; } = "latest";
                [KongLengthEquals(2)] public string Country { get; set; } = "de";
                [KongLengthEquals(1)] public List<int> One { get; set; } = [1];
                [KongContains("GET")] public HashSet<string> Methods { get; set; } = ["GET", "HEAD"];
                [KongIsRegex] public string? Filter { get; set; }
                [KongTimestamp] public long? Since { get; set; }
                [KongImmutable] public string? Region { get; set; }
                [KongExamples("eu-west-1", "us-east-1")] public string? Zone { get; set; }
                [KongDeprecated("use zone instead", "4.0")] public string? Area { get; set; }
                [KongError("must be a multiple of ten"), KongNotOneOf(1)] public int Step { get; set; } = 10;
                [KongOptional] public Inner Inner { get; set; } = new();
                [KongOptional] public int Retries { get; set; }
            """, "public sealed class Inner { public int X { get; set; } = 1; }");

        void Is(string expected, string name)
            => Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), Field(descriptor, name)), name + " is " + Field(descriptor, name).ToJsonString());
        Is("""{"type":"string","default":"kong","not_one_of":["root","admin"]}""", "user");
        Is("""{"type":"boolean","default":true,"eq":true}""", "accept");
        Is("""{"type":"string","default":"all","ne":"none"}""", "mode");
        Is("""{"type":"string","default":"https://x","starts_with":"https://"}""", "url");
        Is("""{"type":"string","default":"abc","not_match":"%s"}""", "token");
        Is("""{"type":"string","default":"a1","match_all":[{"pattern":"^%a","err":"must start with a letter"},{"pattern":"%d$"}],"match_none":[{"pattern":"%.%.","err":"no double dots"}]}""", "name");
        Is("""{"type":"string","default":"latest","match_any":{"patterns":["^v%d+$","^latest$"],"err":"a version or latest"}}""", "version");
        Is("""{"type":"string","default":"de","len_eq":2}""", "country");
        Is("""{"type":"set","default":["GET","HEAD"],"elements":{"type":"string"},"contains":"GET"}""", "methods");
        Is("""{"type":"string","is_regex":true}""", "filter");
        Is("""{"type":"integer","between":[-9007199254740991,9007199254740991],"timestamp":true}""", "since");
        Is("""{"type":"string","immutable":true}""", "region");
        Is("""{"type":"string","examples":["eu-west-1","us-east-1"]}""", "zone");
        Is("""{"type":"string","deprecation":{"message":"use zone instead","removal_in_version":"4.0"}}""", "area");
        Is("""{"type":"integer","default":10,"between":[-2147483648,2147483647],"err":"must be a multiple of ten","not_one_of":[1]}""", "step");
        Assert.False((bool)Field(descriptor, "inner")["required"]!);
        Is("""{"type":"integer","required":false,"between":[-2147483648,2147483647]}""", "retries");
        AssertKongAccepts(descriptor);

        object plugin = Bind(descriptor, """{"inner":null}""");
        Assert.Equal(1, Get(Get(plugin, "Inner")!, "X"));
        Assert.Equal(0, Get(plugin, "Retries"));
    }

    [Fact]
    public Task FieldValidators_OnTheWrongTypeOrBrokenByTheDefault_AreReported() => Verify.AnalyzeAsync<ConfigPropertyAnalyzer>("""
        [KongPlugin("p")] public partial class P
        {
            [KongNotOneOf("root")] public string {|KONG0102:User|} { get; set; } = "root";
            [KongStartsWith("https://")] public string {|KONG0102:Url|} { get; set; } = "http://x";
            [KongMatch("^%a")] public string {|KONG0102:Name|} { get; set; } = "1a";
            [KongMatch("%d", None = true)] public string {|KONG0102:NoDigits|} { get; set; } = "a1";
            [KongMatchAny("^x", "^y")] public string {|KONG0102:Either|} { get; set; } = "z";
            [KongLengthEquals(2)] public string {|KONG0102:Country|} { get; set; } = "deu";
            [KongContains(3)] public List<int> {|KONG0102:Numbers|} { get; set; } = [1, 2];
            [KongLength(Max = 2)] public List<int> {|KONG0102:TooMany|} { get; set; } = [1, 2, 3];
            [KongLength(Max = 1)] public List<string> OneWithAComma { get; set; } = ["a,b"];
            [KongLength(Max = 1)] public List<List<int>> OneNested { get; set; } = [[1, 2]];
            [KongEquals(1)] public int {|KONG0102:One|} { get; set; } = 2;
            [{|KONG0104:KongStartsWith("x")|}] public int Number { get; set; }
            [{|KONG0104:KongMatch("[a")|}] public string Broken { get; set; } = "a";
            [{|KONG0104:KongTimestamp|}] public string When { get; set; } = "now";
            [{|KONG0104:KongContains("x")|}] public string NotAList { get; set; } = "x";
            [{|KONG0104:KongLengthEquals(1)|}] public int NoLength { get; set; }
            [{|KONG0104:KongOptional|}] public string NoInitializer { get; set; }
            [{|KONG0104:KongOptional|}] public string? AlreadyOptional { get; set; }
            public ValueTask Access(IKong kong) => default;
        }
        """);

    // ---------------------------------------------------------------- vocabulary: rules on elements, keys and values

    private const string NestedRulesMembers = """
            [KongLuaPattern("^[%l%-]+$", Target = KongTarget.Elements), KongLength(Max = 4)] public List<string> Tags { get; set; } = ["a-b"];
            [KongLength(Min = 2, Max = 16, Target = KongTarget.Elements)] public HashSet<string> Names { get; set; } = [];
            [KongOneOf("GET", "POST", Target = KongTarget.Elements)] public string[] Methods { get; set; } = ["GET"];
            [KongBetween(100, 599, Target = KongTarget.Elements)] public List<int> Codes { get; set; } = [200, 404];
            [KongGreaterThan(0, Target = KongTarget.Elements)] public List<double>? Ratios { get; set; }
            [KongLength(Min = 1, Target = KongTarget.Elements), KongContains(7, Target = KongTarget.Elements)] public List<List<int>>? Groups { get; set; }
            [KongReferenceable, KongStartsWith("{vault://", Target = KongTarget.Elements)] public List<string>? Secrets { get; set; }
            [KongLuaPattern("^%a[%w_]*$", Target = KongTarget.Keys), KongBetween(1, 10, Target = KongTarget.Values)]
            public Dictionary<string, int>? Weights { get; set; }
            [KongMatch("^x%-", Target = KongTarget.Keys, Err = "keys start with x-"), KongNotOneOf("x-admin", Target = KongTarget.Keys),
             KongLength(Max = 64, Target = KongTarget.Values), KongLength(Max = 8)]
            public IReadOnlyDictionary<string, string>? Headers { get; set; }
        """;

    [Fact]
    public void RulesOnElementsKeysAndValues_AreWrittenInTheNestedDefinitions_AndKongAcceptsThem()
    {
        KongPluginDescriptor descriptor = Plugin(NestedRulesMembers);

        void Is(string expected, string name)
            => Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), Field(descriptor, name)), name + " is " + Field(descriptor, name).ToJsonString());
        Is("""{"type":"array","default":["a-b"],"elements":{"type":"string","match":"^[%l%-]+$"},"len_max":4}""", "tags");
        Is("""{"type":"set","default":[],"elements":{"type":"string","len_min":2,"len_max":16}}""", "names");
        Is("""{"type":"array","default":["GET"],"elements":{"type":"string","one_of":["GET","POST"]}}""", "methods");
        Is("""{"type":"array","default":[200,404],"elements":{"type":"integer","between":[100,599]}}""", "codes");
        Is("""{"type":"array","elements":{"type":"number","gt":0}}""", "ratios");
        Is("""{"type":"array","elements":{"type":"array","elements":{"type":"integer","between":[-2147483648,2147483647]},"len_min":1,"contains":7}}""", "groups");
        Is("""{"type":"array","elements":{"type":"string","starts_with":"{vault://","referenceable":true}}""", "secrets");
        Is("""{"type":"map","keys":{"type":"string","match":"^%a[%w_]*$"},"values":{"type":"integer","between":[1,10]}}""", "weights");
        Is("""{"type":"map","keys":{"type":"string","not_one_of":["x-admin"],"match_all":[{"pattern":"^x%-","err":"keys start with x-"}]},"values":{"type":"string","len_max":64},"len_max":8}""", "headers");
        AssertKongAccepts(descriptor);

        // Kong's rules, as the package tests' validator models them, now reject what the attributes forbid.
        string schema = descriptor.SchemaJson;
        Assert.Empty(KongSchemaValidator.ValidateConfig(schema, """{"tags":["ok"],"codes":[599],"weights":{"a_1":10},"headers":{"x-id":"1"},"groups":[[7]]}"""));
        Assert.Contains(KongSchemaValidator.ValidateConfig(schema, """{"tags":["Not-Lower"]}"""), e => e.Contains("tags[0]", StringComparison.Ordinal));
        Assert.Contains(KongSchemaValidator.ValidateConfig(schema, """{"codes":[99]}"""), e => e.Contains("codes[0]", StringComparison.Ordinal));
        Assert.Contains(KongSchemaValidator.ValidateConfig(schema, """{"weights":{"1a":1}}"""), e => e.Contains("(key)", StringComparison.Ordinal));
        Assert.Contains(KongSchemaValidator.ValidateConfig(schema, """{"weights":{"a":11}}"""), e => e.Contains("weights.a", StringComparison.Ordinal));
        Assert.Contains(KongSchemaValidator.ValidateConfig(schema, """{"headers":{"x-admin":"1"}}"""), e => e.Contains("(key)", StringComparison.Ordinal));
        Assert.Contains(KongSchemaValidator.ValidateConfig(schema, """{"groups":[[1]]}"""), e => e.Contains("groups[0]", StringComparison.Ordinal));

        // The binder checks types, as for every field; the validators are Kong's to apply before StartInstance.
        object plugin = Bind(descriptor, """{"weights":{"a":3},"tags":["x"]}""");
        Assert.Equal(3, ((Dictionary<string, int>)Get(plugin, "Weights")!)["a"]);
    }

    [LuaJitFact]
    public async Task RulesOnElementsKeysAndValues_TravelInSchemaLua()
    {
        KongPluginDescriptor descriptor = Plugin(NestedRulesMembers, name: "nested-rules");
        string directory = Directory.CreateTempSubdirectory("kong-nested-rules-").FullName;
        try
        {
            Assert.Equal(0, await KongPluginHost.RunAsync(["-lua-schema-dir", directory], descriptor));
            string module = File.ReadAllText(Path.Combine(directory, "nested-rules.schema.lua"));
            Assert.Contains("match = \"^%a[%w_]*$\"", module, StringComparison.Ordinal);
            using System.Text.Json.JsonDocument json = System.Text.Json.JsonDocument.Parse(descriptor.SchemaJson);
            LuaSchemaRoundTrip.AssertSame(json.RootElement, module);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public Task RulesOnElementsKeysAndValues_ThatDoNotFit_OrThatTheDefaultBreaks_AreReported() => Verify.AnalyzeAsync<ConfigPropertyAnalyzer>("""
        [KongPlugin("p")] public partial class P
        {
            [{|KONG0104:KongLuaPattern("^a", Target = KongTarget.Elements)|}] public List<int>? Numbers { get; set; }
            [{|KONG0104:KongBetween(1, 2, Target = KongTarget.Keys)|}] public Dictionary<string, int>? Map { get; set; }
            [{|KONG0104:KongLength(Min = 1, Target = KongTarget.Elements)|}] public string NotAList { get; set; } = "x";
            [{|KONG0104:KongLength(Min = 1, Target = KongTarget.Values)|}] public List<string>? NotAMap { get; set; }
            [{|KONG0104:KongLength(Min = 1, Target = KongTarget.Elements)|}] public Dictionary<string, string>? MapNotList { get; set; }
            [{|KONG0104:KongLuaPattern("[a", Target = KongTarget.Elements)|}] public List<string>? BadPattern { get; set; }
            [KongLength(Min = 1), {|KONG0104:KongLength(Max = 2)|}] public List<string>? Twice { get; set; }
            [KongLength(Min = 1, Target = KongTarget.Elements), {|KONG0104:KongLength(Max = 2, Target = KongTarget.Elements)|}] public List<string>? TwiceNested { get; set; }
            [KongLength(Min = 1), KongLength(Max = 2, Target = KongTarget.Elements)] public List<string>? OncePerTarget { get; set; }
            [KongLuaPattern("^%l+$", Target = KongTarget.Elements)] public List<string> {|KONG0102:Lower|} { get; set; } = ["ok", "NO"];
            [KongBetween(1, 5, Target = KongTarget.Elements)] public List<int> {|KONG0102:Small|} { get; set; } = [1, 9];
            [KongLength(Min = 1, Target = KongTarget.Elements)] public List<string> {|KONG0102:NotEmpty|} { get; set; } = ["a", ""];
            [{|KONG0102:KongDefault(new[] { "ab", "c" })|}, KongLength(Min = 2, Target = KongTarget.Elements)] public List<string> Two { get; set; } = new();
            [KongMatch("^x", Target = KongTarget.Elements), KongMatch("y$", Target = KongTarget.Elements)] public List<string> Both { get; set; } = ["xy"];
            public ValueTask Access(IKong kong) => default;
        }
        """);

    // ---------------------------------------------------------------- vocabulary: non-empty map defaults

    private const string MapDefaultMembers = """
                private const string Key = "k";
                public Dictionary<string, int> Weights { get; set; } = new() { ["a"] = 1, ["b"] = 2 };
                public IDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { { "x-a", "1" }, { "x-b", "" } };
                public Dictionary<string, List<int>> Buckets { get; set; } = new() { ["low"] = [1, 2], ["high"] = new List<int> { 9 } };
                public IReadOnlyDictionary<string, Mode> Modes { get; set; } = new Dictionary<string, Mode> { [Key] = Mode.VerySafe };
                [KongLuaPattern("^%l*$", Target = KongTarget.Keys)] public Dictionary<string, bool> Blank { get; set; } = new() { [""] = true };
                public Dictionary<string, string> Empty { get; set; } = new(StringComparer.Ordinal);
                public List<Dictionary<string, int>> Nested { get; set; } = [new() { ["n"] = 1 }];
                public Dictionary<string, double> Computed { get; set; } = Make();
                private static Dictionary<string, double> Make() => new() { ["x"] = 1.5 };
            """;

    [Fact]
    public void MapInitializers_WithConstantKeysAndValues_AreTheDefault_CheckedByKong()
    {
        KongPluginDescriptor descriptor = Plugin(MapDefaultMembers, "public enum Mode { Fast, VerySafe }");

        void Is(string expected, string name)
            => Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), Field(descriptor, name)), name + " is " + Field(descriptor, name).ToJsonString());
        Is("""{"type":"map","default":{"a":1,"b":2},"keys":{"type":"string"},"values":{"type":"integer","between":[-2147483648,2147483647]}}""", "weights");
        Is("""{"type":"map","default":{"x-a":"1","x-b":""},"keys":{"type":"string"},"values":{"type":"string","len_min":0}}""", "headers");
        Is("""{"type":"map","default":{"low":[1,2],"high":[9]},"keys":{"type":"string"},"values":{"type":"array","elements":{"type":"integer","between":[-2147483648,2147483647]}}}""", "buckets");
        Is("""{"type":"map","default":{"k":"very_safe"},"keys":{"type":"string"},"values":{"type":"string","one_of":["fast","very_safe"]}}""", "modes");
        Is("""{"type":"map","default":{"":true},"keys":{"type":"string","len_min":0,"match":"^%l*$"},"values":{"type":"boolean"}}""", "blank");
        Is("""{"type":"map","default":{},"keys":{"type":"string"},"values":{"type":"string"}}""", "empty");
        Is("""{"type":"array","default":[{"n":1}],"elements":{"type":"map","keys":{"type":"string"},"values":{"type":"integer","between":[-2147483648,2147483647]}}}""", "nested");
        Is("""{"type":"map","required":true,"keys":{"type":"string"},"values":{"type":"number"}}""", "computed"); // a method call gives no default, as for lists
        AssertKongAccepts(descriptor);

        object plugin = Bind(descriptor, """{"computed":{}}""");
        Assert.Equal(2, ((Dictionary<string, int>)Get(plugin, "Weights")!)["b"]);
    }

    [LuaJitFact]
    public async Task MapDefaults_TravelInSchemaLua()
    {
        KongPluginDescriptor descriptor = Plugin(MapDefaultMembers, "public enum Mode { Fast, VerySafe }", name: "map-defaults");
        string directory = Directory.CreateTempSubdirectory("kong-map-defaults-").FullName;
        try
        {
            Assert.Equal(0, await KongPluginHost.RunAsync(["-lua-schema-dir", directory], descriptor));
            string module = File.ReadAllText(Path.Combine(directory, "map-defaults.schema.lua"));
            using System.Text.Json.JsonDocument json = System.Text.Json.JsonDocument.Parse(descriptor.SchemaJson);
            LuaSchemaRoundTrip.AssertSame(json.RootElement, module);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public Task MapInitializers_ThatBreakTheRules_OrThatAreNotConstant_AreKONG0102() => Verify.AnalyzeAsync<ConfigPropertyAnalyzer>("""
        [KongPlugin("p")] public partial class P
        {
            [KongBetween(1, 5, Target = KongTarget.Values)] public Dictionary<string, int> {|KONG0102:Big|} { get; set; } = new() { ["a"] = 9 };
            [KongLuaPattern("^%l+$", Target = KongTarget.Keys)] public Dictionary<string, int> {|KONG0102:Upper|} { get; set; } = new() { ["A"] = 1 };
            [KongLength(Max = 1)] public Dictionary<string, int> {|KONG0102:TooMany|} { get; set; } = new() { ["a"] = 1, ["b"] = 2 };
            [KongLength(Min = 1, Target = KongTarget.Keys)] public Dictionary<string, int> {|KONG0102:EmptyKey|} { get; set; } = new() { [""] = 1 };
            public Dictionary<string, int> {|KONG0102:ComputedValue|} { get; set; } = new() { ["a"] = Environment.ProcessorCount };
            public Dictionary<string, int> {|KONG0102:ComputedKey|} { get; set; } = new() { [Environment.MachineName] = 1 };
            public Dictionary<string, string?> {|KONG0102:NullValue|} { get; set; } = new() { ["a"] = null };
            public Dictionary<string, int> {|KONG0102:Twice|} { get; set; } = new() { { "a", 1 }, { "a", 2 } };
            public Dictionary<string, Inner> {|KONG0102:Records|} { get; set; } = new() { ["a"] = new Inner() };
            public Dictionary<string, int> {|KONG0102:Copy|} { get; set; } = new(Make()) { ["b"] = 2 };
            public Dictionary<string, int> FromAMethod { get; set; } = Make();
            public Dictionary<string, int> CopyOnly { get; set; } = new(Make());
            private static Dictionary<string, int> Make() => new() { ["x"] = 1 };
            public ValueTask Access(IKong kong) => default;
        }

        public sealed class Inner { public int X { get; set; } = 1; }
        """);
}
