using System.Collections;
using System.Reflection;
using System.Text;
using Kong.Pdk.Hosting;
using Xunit;

namespace Kong.Pdk.Generators.Tests;

/// <summary>Compiles plugins in memory, loads them, and binds real configuration JSON with the generated
/// <c>Utf8JsonReader</c> binder (kong-protocol.md §4.3).</summary>
public class BinderTests
{
    private static readonly Lazy<KongPluginDescriptor> s_vectors = new(() =>
        TestCompiler.Descriptor(TestCompiler.Usings + Plugins.Vectors, "Vectors.VectorsPlugin"));

    private static readonly Lazy<KongPluginDescriptor> s_allTypes = new(() =>
        TestCompiler.Descriptor(TestCompiler.Usings + Plugins.AllTypes, "Outer+AllTypesPlugin"));

    private static readonly Lazy<KongPluginDescriptor> s_worked = new(() =>
        TestCompiler.Descriptor(TestCompiler.Usings + Plugins.WorkedExample, "Samples.Worked.MyPlugin"));

    private static object Bind(KongPluginDescriptor descriptor, string json) => descriptor.CreateInstance(Encoding.UTF8.GetBytes(json));

    private static object? Get(object target, string path)
    {
        object? current = target;
        foreach (string name in path.Split('.'))
        {
            current = current!.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance)!.GetValue(current);
        }

        return current;
    }

    private static string Fails(KongPluginDescriptor descriptor, string json)
        => Assert.Throws<KongConfigException>(() => Bind(descriptor, json)).Message;

    [Fact]
    public void Binder_VectorsConfigOfFact14_BindsEveryField()
    {
        object plugin = Bind(s_vectors.Value, Plugins.VectorsConfigJson);
        Assert.Equal("from-kong", Get(plugin, "Message"));
        Assert.Null(Get(plugin, "Note"));
        Assert.Equal(3, Get(plugin, "Count"));
        Assert.Equal(10, Get(plugin, "Limit"));
        Assert.Equal(1.5, Get(plugin, "Ratio"));
        Assert.Equal(2.0, Get(plugin, "Threshold")); // an integral number for a number field
        Assert.Equal(true, Get(plugin, "Enabled"));
        Assert.Empty((IList)Get(plugin, "Tags")!);
        Assert.Null(Get(plugin, "Hosts"));
        Assert.Empty((IDictionary)Get(plugin, "Labels")!);
        Assert.Null(Get(plugin, "Extra"));
        Assert.Equal("localhost", Get(plugin, "Upstream.Host"));
        Assert.Equal(9000, Get(plugin, "Upstream.Port"));
        Assert.Null(Get(plugin, "Upstream.Tls"));
        Assert.IsAssignableFrom<IKongPluginInstance>(plugin);
    }

    [Fact]
    public void Binder_VectorsReconfiguration_BindsNewValues()
    {
        // reconfigure 431: "tags":["a","b"], "labels":{"env":"test"}, "threshold":0.25, "count":0, "__seq__":2
        string json = Plugins.VectorsConfigJson
            .Replace("\"tags\":[]", "\"tags\":[\"a\",\"b\"]")
            .Replace("\"labels\":{}", "\"labels\":{\"env\":\"test\"}")
            .Replace("\"threshold\":2", "\"threshold\":0.25")
            .Replace("\"count\":3", "\"count\":0")
            .Replace("\"__seq__\":1", "\"__seq__\":2");
        object plugin = Bind(s_vectors.Value, json);
        Assert.Equal(new[] { "a", "b" }, (List<string>)Get(plugin, "Tags")!);
        Assert.Equal("test", ((Dictionary<string, string>)Get(plugin, "Labels")!)["env"]);
        Assert.Equal(0.25, Get(plugin, "Threshold"));
        Assert.Equal(0, Get(plugin, "Count"));
    }

    [Fact]
    public void Binder_UnknownKeys_AreSkippedWhateverTheirShape()
    {
        object plugin = Bind(s_vectors.Value, """
            {"route_id":"8a1e","service_id":null,"consumer_id":"c","plugin_instance_name":"x","__seq__":17,
             "__key__":"plugins:vectors:::","__nested":{"a":[1,{"b":[true,null]}],"c":{}},"message":"m",
             "__list":[[],[{}]],"upstream":{"unknown":{"deep":[1]},"port":1}}
            """);
        Assert.Equal("m", Get(plugin, "Message"));
        Assert.Equal(1, Get(plugin, "Upstream.Port"));
        Assert.Equal("localhost", Get(plugin, "Upstream.Host"));
    }

    [Fact]
    public void Binder_AbsentAndNullOptionalFields_KeepDefaultsOrBecomeNull()
    {
        object plugin = Bind(s_vectors.Value, """{"message":null,"limit":null,"tags":null,"upstream":null,"note":null}""");
        Assert.Equal("hello", Get(plugin, "Message")); // not required: null keeps the default
        Assert.Equal(10, Get(plugin, "Limit"));
        Assert.Empty((IList)Get(plugin, "Tags")!);
        Assert.Null(Get(plugin, "Upstream"));
        Assert.Null(Get(plugin, "Note"));
        Assert.Null(Get(plugin, "Count"));
    }

    [Fact]
    public void Binder_EmptyLuaTables_AcceptedEitherWay()
    {
        object plugin = Bind(s_vectors.Value, """{"tags":{},"labels":[],"hosts":{},"extra":[]}""");
        Assert.Empty((IList)Get(plugin, "Tags")!);
        Assert.Empty((IList)Get(plugin, "Hosts")!);
        Assert.Empty((IDictionary)Get(plugin, "Labels")!);
        Assert.Empty((IDictionary)Get(plugin, "Extra")!);
    }

    [Theory]
    [InlineData("""{"count":"3"}""", "invalid config field 'count': expected an integer, got a string")]
    [InlineData("""{"count":3.5}""", "invalid config field 'count': expected an integer, got a number")]
    [InlineData("""{"count":3000000000}""", "invalid config field 'count': expected an integer from -2147483648 to 2147483647, got a number")]
    [InlineData("""{"limit":true}""", "invalid config field 'limit': expected an integer, got a boolean")]
    [InlineData("""{"message":12}""", "invalid config field 'message': expected a string, got a number")]
    [InlineData("""{"enabled":1}""", "invalid config field 'enabled': expected true or false, got a number")]
    [InlineData("""{"ratio":"1.5"}""", "invalid config field 'ratio': expected a number, got a string")]
    [InlineData("""{"tags":"a"}""", "invalid config field 'tags': expected an array, got a string")]
    [InlineData("""{"tags":["a",1]}""", "invalid config field 'tags[1]': expected a string, got a number")]
    [InlineData("""{"tags":[null]}""", "invalid config field 'tags[0]': expected a string, got null")]
    [InlineData("""{"tags":{"a":1}}""", "invalid config field 'tags': expected an array, got an object")]
    [InlineData("""{"labels":{"env":1}}""", "invalid config field 'labels.<key>': expected a string, got a number")]
    [InlineData("""{"labels":[1]}""", "invalid config field 'labels': expected an object, got an array")]
    [InlineData("""{"extra":{"a":1.25}}""", "invalid config field 'extra.<key>': expected an integer, got a number")]
    [InlineData("""{"upstream":[]}""", "invalid config field 'upstream': expected an object, got an array")]
    [InlineData("""{"upstream":{"port":"x"}}""", "invalid config field 'upstream.port': expected an integer, got a string")]
    [InlineData("""{"upstream":{"tls":"yes"}}""", "invalid config field 'upstream.tls': expected true or false, got a string")]
    public void Binder_WrongTypes_NameTheFieldAndWhatWasExpected(string json, string message)
        => Assert.Equal(message, Fails(s_vectors.Value, json));

    [Fact]
    public void Binder_WrongType_ExceptionCarriesTheDottedPath()
    {
        var exception = Assert.Throws<KongConfigException>(() => Bind(s_vectors.Value, """{"upstream":{"port":"x"}}"""));
        Assert.Equal("upstream.port", exception.Field);
    }

    [Theory]
    [InlineData("", "the configuration is empty")]
    [InlineData("[]", "expected an object, got an array")]
    [InlineData("null", "expected an object, got null")]
    public void Binder_NotAnObject_Fails(string json, string message)
        => Assert.Equal(message, Fails(s_vectors.Value, json));

    [Fact]
    public void Binder_InvalidJson_FailsWithConfigException()
    {
        var exception = Assert.Throws<KongConfigException>(() => Bind(s_vectors.Value, """{"message":"a" "note":1}"""));
        Assert.Equal("the configuration is not valid JSON (line 1, byte 16)", exception.Message);
        Assert.Null(exception.InnerException); // its message would quote the JSON
    }

    [Fact]
    public void Binder_IntegralDoubles_AcceptedForIntegerFields()
    {
        object plugin = Bind(s_vectors.Value, """{"limit":3.0,"count":1e3}""");
        Assert.Equal(3, Get(plugin, "Limit"));
        Assert.Equal(1000, Get(plugin, "Count"));
    }

    [Fact]
    public void Binder_EscapedKeysAndValues_AreUnescaped()
    {
        object plugin = Bind(s_vectors.Value, """{"mess\u0061ge":"a\/b \"q\" \u00e9"}""");
        Assert.Equal("a/b \"q\" \u00e9", Get(plugin, "Message"));
    }

    private const string AllTypesRequired = """
        "short":-2,"origin":{"x":1,"y":-1},"id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301"
        """;

    [Fact]
    public void Binder_AllTypes_BindsEverySupportedType()
    {
        object plugin = Bind(s_allTypes.Value, "{" + AllTypesRequired + """
            ,"x-name":"edge","secret":"s3cr3t","scheme":"http","tiny":-128,"small":255,"u_short":65535,"u_int":4294967295,
            "big":9007199254740991,"u_big":42,"single":0.5,"money":12.34,"other_id":null,"endpoint":"https://example.com/x",
            "level":"info","levels":["very_verbose"],"methods":["GET","GET","POST"],"codes":[200,404],"read_only_set":["a"],
            "weights":[1,2.5],"immutable":["i"],"tokens":[],"buckets":{"b":[1,2]},"named":{"n":{"label":"L","next":{"depth":5}}},
            "items":[{"label":"first"},{"next":{"next":{"depth":9,"notes":["x",null]}}}],
            "nested":{"label":"top","next":{"next":{"depth":4}}},"maybe":{"x":7}}
            """);
        Assert.Equal("edge", Get(plugin, "Name"));
        Assert.Equal("s3cr3t", Get(plugin, "Secret"));
        Assert.Equal("http", Get(plugin, "Scheme"));
        Assert.Equal((sbyte)-128, Get(plugin, "Tiny"));
        Assert.Equal((byte)255, Get(plugin, "Small"));
        Assert.Equal((short)-2, Get(plugin, "Short"));
        Assert.Equal((ushort)65535, Get(plugin, "UShort"));
        Assert.Equal(4294967295u, Get(plugin, "UInt"));
        Assert.Equal(9007199254740991L, Get(plugin, "Big"));
        Assert.Equal(42UL, Get(plugin, "UBig"));
        Assert.Equal(0.5f, Get(plugin, "Single"));
        Assert.Equal(12.34m, Get(plugin, "Money"));
        Assert.Equal(Guid.Parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301"), Get(plugin, "Id"));
        Assert.Null(Get(plugin, "OtherId"));
        Assert.Equal(new Uri("https://example.com/x"), Get(plugin, "Endpoint"));
        Assert.Equal("Info", Get(plugin, "Level")!.ToString());
        Assert.Equal("VeryVerbose", ((Array)Get(plugin, "Levels")!).GetValue(0)!.ToString());
        Assert.Equal(new HashSet<string> { "GET", "POST" }, (HashSet<string>)Get(plugin, "Methods")!);
        Assert.True(((ISet<int>)Get(plugin, "Codes")!).SetEquals(new[] { 200, 404 }));
        Assert.Equal(new[] { "a" }, (IReadOnlySet<string>)Get(plugin, "ReadOnlySet")!);
        Assert.Equal(new[] { 1.0, 2.5 }, (IReadOnlyList<double>)Get(plugin, "Weights")!);
        Assert.Equal(new[] { "i" }, (System.Collections.Immutable.ImmutableArray<string>)Get(plugin, "Immutable")!);
        Assert.Empty((string[])Get(plugin, "Tokens")!);
        Assert.Equal(new[] { 1, 2 }, ((IReadOnlyDictionary<string, List<int>>)Get(plugin, "Buckets")!)["b"]);
        Assert.Equal("top", Get(plugin, "Nested.Label"));
        Assert.Equal(2, Get(plugin, "Nested.Next.Depth")); // absent: the initializer stays
        Assert.Equal((byte)4, Get(plugin, "Nested.Next.Next.Depth"));
        Assert.Equal(1, Get(plugin, "Origin.X"));
        Assert.Equal(-1, Get(plugin, "Origin.Y"));
        Assert.Equal(7, Get(plugin, "Maybe.X"));

        var items = (IList)Get(plugin, "Items")!;
        Assert.Equal(2, items.Count);
        Assert.Equal("first", Get(items[0]!, "Label"));
        Assert.Equal("one", Get(items[1]!, "Label"));
        Assert.Equal((byte)9, Get(items[1]!, "Next.Next.Depth"));
        Assert.Equal(new[] { "x", null }, (List<string?>)Get(items[1]!, "Next.Next.Notes")!);
        object named = ((IDictionary)Get(plugin, "Named")!)["n"]!;
        Assert.Equal("L", Get(named, "Label"));
        Assert.Equal(5, Get(named, "Next.Depth"));
    }

    [Fact]
    public void Binder_AllTypes_DefaultsComeFromInitializers()
    {
        object plugin = Bind(s_allTypes.Value, "{" + AllTypesRequired + "}");
        Assert.Equal("kong", Get(plugin, "Name"));
        Assert.Equal((byte)200, Get(plugin, "Small"));
        Assert.Equal(new[] { "GET", "HEAD" }, ((HashSet<string>)Get(plugin, "Methods")!).Order());
        Assert.Equal("VeryVerbose", Get(plugin, "Level")!.ToString());
        Assert.Null(Get(plugin, "Maybe"));
    }

    [Theory]
    [InlineData("\"origin\":{\"x\":1,\"y\":-1},\"id\":\"3f2504e0-4f89-11d3-9a0c-0305e82c3301\"", "invalid config field 'short': the field is required but missing")]
    [InlineData("\"short\":1,\"id\":\"3f2504e0-4f89-11d3-9a0c-0305e82c3301\"", "invalid config field 'origin': the field is required but missing")]
    public void Binder_MissingRequiredFieldWithoutDefault_Fails(string fields, string message)
        => Assert.Equal(message, Fails(s_allTypes.Value, "{" + fields + "}"));

    [Theory]
    [InlineData("\"short\":null", "invalid config field 'short': expected an integer, got null")]
    [InlineData("\"small\":256", "invalid config field 'small': expected an integer from 0 to 255, got a number")]
    [InlineData("\"tiny\":-129", "invalid config field 'tiny': expected an integer from -128 to 127, got a number")]
    [InlineData("\"u_int\":-1", "invalid config field 'u_int': expected an integer from 0 to 4294967295, got a number")]
    [InlineData("\"level\":\"Info\"", "invalid config field 'level': expected one of the values the field's schema lists, got another string")]
    [InlineData("\"level\":1", "invalid config field 'level': expected one of the values the field's schema lists, got a number")]
    [InlineData("\"levels\":[\"debug\",\"loud\"]", "invalid config field 'levels[1]': expected one of the values the field's schema lists, got another string")]
    [InlineData("\"other_id\":\"not-a-guid\"", "invalid config field 'other_id': expected a UUID string, got a string that is not a UUID")]
    [InlineData("\"money\":true", "invalid config field 'money': expected a number, got a boolean")]
    [InlineData("\"items\":[{\"next\":{\"next\":{\"depth\":\"deep\"}}}]", "invalid config field 'items[0].next.next.depth': expected an integer, got a string")]
    [InlineData("\"named\":{\"k\":{\"label\":false}}", "invalid config field 'named.<key>.label': expected a string, got a boolean")]
    [InlineData("\"nested\":null", "invalid config field 'nested': expected an object, got null")]
    [InlineData("\"buckets\":{\"b\":[1,\"2\"]}", "invalid config field 'buckets.<key>[1]': expected an integer, got a string")]
    public void Binder_AllTypes_WrongValues_AreExplained(string field, string message)
        => Assert.Equal(message, Fails(s_allTypes.Value, "{" + AllTypesRequired + "," + field + "}"));

    [Fact]
    public void Binder_FieldNameOverride_BindsFromTheOverriddenName()
    {
        object plugin = Bind(s_allTypes.Value, "{" + AllTypesRequired + ",\"name\":\"ignored\",\"x-name\":\"used\"}");
        Assert.Equal("used", Get(plugin, "Name"));
    }

    [Fact]
    public void Binder_InitOnlyProperties_AreBound()
    {
        object plugin = Bind(s_worked.Value, """{"message":"hi","count":4,"mode":"fast","upstream":{"host":"api.internal"},"headers":{"a":"b"},"__seq__":17}""");
        Assert.Equal("hi", Get(plugin, "Message"));
        Assert.Equal(4, Get(plugin, "Count"));
        Assert.Equal("Fast", Get(plugin, "Mode")!.ToString());
        Assert.Equal("api.internal", Get(plugin, "Upstream.Host"));
        Assert.Equal(443, Get(plugin, "Upstream.Port"));
        Assert.Equal(true, Get(plugin, "Enabled"));
        Assert.Equal("b", ((Dictionary<string, string>)Get(plugin, "Headers")!)["a"]);
    }

    [Fact]
    public void Binder_RequiredFieldGivenNull_Fails()
        => Assert.Equal("invalid config field 'message': expected a string, got null", Fails(s_worked.Value, """{"message":null}"""));

    [Fact]
    public void Binder_EachCall_CreatesANewInstance()
        => Assert.NotSame(Bind(s_vectors.Value, "{}"), Bind(s_vectors.Value, "{}"));
}
