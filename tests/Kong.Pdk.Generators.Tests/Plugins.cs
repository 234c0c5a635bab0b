namespace Kong.Pdk.Generators.Tests;

/// <summary>Plugin sources shared by the snapshot, schema, binder and caching tests.</summary>
public static class Plugins
{
    /// <summary>The smallest useful plugin: one string setting, one phase.</summary>
    public const string Hello = """
        namespace Samples.Hello
        {
            [KongPlugin("hello", Version = "1.0.0", Priority = 1000)]
            public sealed partial class HelloPlugin
            {
                public string Greeting { get; set; } = "hello";

                public ValueTask Access(IKong kong, CancellationToken cancellationToken) => default;
            }
        }
        """;

    /// <summary>The worked example of kong-protocol.md §2.7, with a Task-returning log handler and FailOpen.</summary>
    public const string WorkedExample = """
        namespace Samples.Worked
        {
            public enum Mode { Fast, Safe }

            [KongPlugin("my-plugin", Version = "1.2.0", Priority = 1000, FailOpen = true)]
            public sealed partial class MyPlugin
            {
                [KongRequired] public string Message { get; init; } = "hello";
                [KongBetween(0, 100)] public int Count { get; init; } = 3;
                public bool Enabled { get; init; } = true;
                public double? Ratio { get; init; }
                public List<string> Tags { get; init; } = [];
                public Dictionary<string, string>? Headers { get; init; }
                public Mode Mode { get; init; } = Mode.Safe;
                public UpstreamConfig Upstream { get; init; } = new();

                public ValueTask Access(IKong kong, CancellationToken cancellationToken) => default;

                public Task Log(IKong kong) => Task.CompletedTask;
            }

            public sealed class UpstreamConfig
            {
                [KongRequired] public string Host { get; init; } = "localhost";
                [KongBetween(1, 65535)] public int Port { get; init; } = 443;
            }
        }
        """;

    /// <summary>The expected schema of <see cref="WorkedExample"/>, copied from kong-protocol.md §2.7.</summary>
    public const string WorkedExampleSchema = """
        { "name": "my-plugin", "fields": [ { "config": { "type": "record", "fields": [
              { "message":  { "type": "string", "required": true, "default": "hello" } },
              { "count":    { "type": "integer", "default": 3, "between": [0, 100] } },
              { "enabled":  { "type": "boolean", "default": true } },
              { "ratio":    { "type": "number" } },
              { "tags":     { "type": "array", "elements": { "type": "string" }, "default": [] } },
              { "headers":  { "type": "map", "keys": { "type": "string" }, "values": { "type": "string" } } },
              { "mode":     { "type": "string", "one_of": ["fast", "safe"], "default": "safe" } },
              { "upstream": { "type": "record", "required": true, "fields": [
                  { "host": { "type": "string", "required": true, "default": "localhost" } },
                  { "port": { "type": "integer", "default": 443, "between": [1, 65535] } } ] } }
            ] } } ] }
        """;

    /// <summary>The plugin of the recorded vectors (tests/vectors/README.md, "Plugin"), one field of each kind.</summary>
    public const string Vectors = """
        namespace Vectors
        {
            [KongPlugin("vectors", Version = "0.1.0", Priority = 1000)]
            public sealed partial class VectorsPlugin
            {
                public string Message { get; set; } = "hello";
                public string? Note { get; set; }
                public int? Count { get; set; }
                public int Limit { get; set; } = 10;
                public double Ratio { get; set; } = 1.5;
                public double? Threshold { get; set; }
                public bool Enabled { get; set; } = true;
                public List<string> Tags { get; set; } = [];
                public List<string>? Hosts { get; set; }
                public Dictionary<string, string>? Labels { get; set; }
                public Dictionary<string, int>? Extra { get; set; }
                public UpstreamSettings? Upstream { get; set; }

                public ValueTask Access(IKong kong, CancellationToken cancellationToken) => default;

                public ValueTask Response(IKong kong) => default;

                public Task Log(IKong kong, CancellationToken cancellationToken) => Task.CompletedTask;
            }

            public sealed class UpstreamSettings
            {
                public string Host { get; set; } = "localhost";
                public int Port { get; set; } = 8080;
                public bool? Tls { get; set; }
            }
        }
        """;

    /// <summary>The "Schema" of tests/vectors/dump.json (raw), as Kong read it.</summary>
    public const string VectorsDumpSchema = """
        {"name":"vectors","fields":[{"config":{"type":"record","fields":[{"message":{"type":"string","default":"hello"}},{"note":{"type":"string"}},{"count":{"type":"integer"}},{"limit":{"type":"integer","default":10}},{"ratio":{"type":"number","default":1.5}},{"threshold":{"type":"number"}},{"enabled":{"type":"boolean","default":true}},{"tags":{"type":"array","elements":{"type":"string"},"default":[]}},{"hosts":{"type":"array","elements":{"type":"string"}}},{"labels":{"type":"map","keys":{"type":"string"},"values":{"type":"string"}}},{"extra":{"type":"map","keys":{"type":"string"},"values":{"type":"integer"}}},{"upstream":{"type":"record","fields":[{"host":{"type":"string","default":"localhost"}},{"port":{"type":"integer","default":8080}},{"tls":{"type":"boolean"}}]}}]}}]}
        """;

    /// <summary>The Config JSON of tests/vectors/README.md fact 14 (startinstance 1), byte for byte.</summary>
    public const string VectorsConfigJson = """{"__ws_id":"0dc6f45b-8f8d-40d2-a504-473544ee190b","message":"from-kong","labels":{},"count":3,"threshold":2,"upstream":{"host":"localhost","tls":null,"port":9000},"tags":[],"__seq__":1,"limit":10,"ratio":1.5,"enabled":true,"note":null,"hosts":null,"extra":null,"__plugin_id":"9a0f2f7c-1c1e-4a39-9bd2-000000000001","__key__":"plugins:vectors::::0dc6f45b-8f8d-40d2-a504-473544ee190b"}""";

    /// <summary>Every supported CLR type, init-only properties, a record struct, nesting three records deep, a
    /// plugin nested in a class in the global namespace.</summary>
    public const string AllTypes = """
        public enum LogLevel { Debug, Info, VeryVerbose }

        public static partial class Outer
        {
            [KongPlugin("all-types", Version = "2.0", Priority = -5)]
            public partial class AllTypesPlugin
            {
                [KongField("x-name"), KongLength(Min = 1, Max = 64), KongLuaPattern("^[%w-]+$")]
                public string Name { get; set; } = "kong";
                [KongDescription("The secret used to sign tokens."), KongReferenceable, KongEncrypted]
                public string? Secret { get; set; }
                [KongOneOf("http", "https")] public string Scheme { get; set; } = "https";
                public sbyte Tiny { get; set; } = -1;
                public byte Small { get; set; } = 200;
                public short Short { get; set; }
                public ushort UShort { get; set; } = 1;
                public uint UInt { get; set; } = 7;
                public long Big { get; set; } = 1L << 40;
                public ulong UBig { get; set; } = 5;
                [KongGreaterThan(0)] public float Single { get; set; } = 0.25f;
                public decimal Money { get; set; } = 1.50m;
                public Guid Id { get; set; } = Guid.Empty;
                [KongDefault("00000000-0000-0000-0000-000000000001")] public Guid? OtherId { get; set; }
                public Uri? Endpoint { get; set; }
                public LogLevel Level { get; set; } = LogLevel.VeryVerbose;
                public LogLevel[] Levels { get; set; } = [LogLevel.Debug, LogLevel.Info];
                public HashSet<string> Methods { get; set; } = ["GET", "HEAD"];
                [KongBetween(100, 599, Target = KongTarget.Elements)] public ISet<int>? Codes { get; set; }
                public IReadOnlySet<string>? ReadOnlySet { get; set; }
                public IReadOnlyList<double> Weights { get; set; } = new List<double>();
                public ImmutableArray<string> Immutable { get; set; } = ImmutableArray<string>.Empty;
                [KongReferenceable, KongLuaPattern("^%w+$", Target = KongTarget.Elements)] public string[] Tokens { get; set; } = new[] { "a", "b" };
                [KongLuaPattern("^%l+$", Target = KongTarget.Keys), KongLength(Max = 8, Target = KongTarget.Values)]
                public IReadOnlyDictionary<string, List<int>>? Buckets { get; set; }
                public Dictionary<string, Level1>? Named { get; set; }
                public List<Level1> Items { get; set; } = [];
                public Level1 Nested { get; set; } = new();
                public Point Origin { get; set; }
                public Point? Maybe { get; set; }

                public Task Certificate(IKong kong) => Task.CompletedTask;
                public Task Rewrite(IKong kong, CancellationToken cancellationToken) => Task.CompletedTask;
                public ValueTask Preread(IKong kong) => default;
            }
        }

        public sealed class Level1
        {
            public string Label { get; init; } = "one";
            public Level2 Next { get; init; } = new();
        }

        public sealed class Level2
        {
            public Level3? Next { get; set; }
            public int Depth { get; set; } = 2;
        }

        public sealed class Level3
        {
            [KongBetween(1, 10)] public byte Depth { get; set; } = 3;
            public List<string?> Notes { get; set; } = [];
        }

        public record struct Point
        {
            public Point() { }
            public int X { get; set; } = 0;
            public int Y { get; set; } = 0;
        }
        """;

    /// <summary>The schema vocabulary beside the config fields and the escape hatches (issue 10): restrictions, the
    /// record-valued entity checks, mutually_exclusive_subsets, is_regex and raw schema JSON.</summary>
    public const string SchemaVocabulary = """"
        namespace Samples.Vocabulary
        {
            [KongNoConsumer]
            [KongConditional("policy", """{"eq": "redis"}""", "redis.host", """{"required": true}""", ThenErr = "needed when %s is redis")]
            [KongConditionalAtLeastOneOf("policy", """{"one_of": ["redis"]}""", "redis.host", "redis.socket",
                ElseMatch = """{"eq": "local"}""", ElseThenAtLeastOneOf = new[] { "path" })]
            [KongMutuallyExclusiveSets(new[] { "path" }, new[] { "redis.host", "redis.socket" })]
            [KongPlugin("vocabulary")]
            public sealed partial class VocabularyPlugin
            {
                public Policy Policy { get; set; } = Policy.Local;
                public string? Path { get; set; }
                public Redis Redis { get; set; } = new();
                [KongMutuallyExclusiveSubset("http", "https"), KongMutuallyExclusiveSubset("tcp", "tls")]
                public HashSet<string> Protocols { get; set; } = ["http", "https"];
                [KongIsRegex] public string Route { get; set; } = @"^/api/v\d+$";
                [KongSchemaJson("""{"uuid": true, "auto": true}""")] public string? RequestId { get; set; }
                public ValueTask Access(IKong kong) => default;
            }

            public enum Policy { Local, Redis }

            public sealed class Redis
            {
                public string? Host { get; set; }
                public string? Socket { get; set; }
            }
        }
        """";
}
