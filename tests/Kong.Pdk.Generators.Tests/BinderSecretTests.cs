using System.Reflection;
using System.Text;
using System.Text.Json;
using Kong.Pdk.Hosting;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Kong.Pdk.Generators.Tests;

/// <summary>Issue 9 item 6: no configuration value, map key or JSON fragment ever appears in a binder error. Every
/// error path of the generated binder is driven with a canary and the message (and any inner exception) is searched
/// for it.</summary>
public class BinderSecretTests
{
    private const string Canary = "CANARY7f3a";

    private static readonly Lazy<KongPluginDescriptor> s_plugin = new(() => TestCompiler.Descriptor(TestCompiler.Usings + """
        namespace Secrets;
        public enum Level { Low, High }
        public sealed class Inner { public int Port { get; set; } = 1; public Level Level { get; set; } }
        public sealed class Echoing
        {
            private string _value = "";
            public string Value { get => _value; set => _value = value.StartsWith("bad") ? throw new ArgumentException("rejected " + value) : value; }
        }
        public sealed class Throwing { public Throwing() => throw new InvalidOperationException("CANARY7f3a-ctor"); public int X { get; set; } }
        [KongPlugin("secrets")]
        public partial class SecretsPlugin
        {
            public string ApiKey { get; set; } = "k";
            public int Count { get; set; } = 1;
            public byte Small { get; set; } = 1;
            public bool Enabled { get; set; }
            public double Ratio { get; set; } = 1;
            public decimal Money { get; set; } = 1;
            public Guid? Id { get; set; }
            public Uri? Endpoint { get; set; }
            public Level Level { get; set; }
            public List<string> Tags { get; set; } = [];
            public Dictionary<string, int> Multipliers { get; set; } = [];
            public Dictionary<string, Inner> Upstreams { get; set; } = [];
            public HashSet<Level> Levels { get; set; } = [];
            public Echoing? Echo { get; set; }
            public Throwing? Boom { get; set; }
            public string Must { get; set; } = null!;
            public ValueTask Access(IKong kong) => default;
        }
        """, "Secrets.SecretsPlugin"));

    public static TheoryData<string> Configs() => new()
    {
        """{"api_key":424242424242,"must":"m"}""",
        """{"count":"CANARY7f3a","must":"m"}""",
        """{"count":424242424242.5,"must":"m"}""",
        """{"small":4242424242,"must":"m"}""",
        """{"enabled":"CANARY7f3a","must":"m"}""",
        """{"ratio":"CANARY7f3a","must":"m"}""",
        """{"money":"CANARY7f3a","must":"m"}""",
        """{"id":"CANARY7f3a","must":"m"}""",
        """{"endpoint":"http://[CANARY7f3a","must":"m"}""",
        """{"level":"CANARY7f3a","must":"m"}""",
        """{"tags":["a","CANARY7f3a",4242424242],"must":"m"}""",
        """{"multipliers":{"CANARY7f3a":"x"},"must":"m"}""",
        """{"multipliers":{"CANARY7f3a":null},"must":"m"}""",
        """{"upstreams":{"CANARY7f3a":{"port":"p"}},"must":"m"}""",
        """{"upstreams":{"CANARY7f3a":{"level":"CANARY7f3a"}},"must":"m"}""",
        """{"levels":["CANARY7f3a"],"must":"m"}""",
        """{"echo":{"value":"bad-CANARY7f3a"},"must":"m"}""",
        """{"boom":{"x":1},"must":"m"}""",
        """{"api_key":"CANARY7f3a"}""",
        """{"api_key":CANARY7f3a,"must":"m"}""",
        """{"api_key":"CANARY7f3a" "must":"m"}""",
        """{"api_key":"CANARY7f3a","must":"m"} CANARY7f3a""",
        """{"api_key":"CANARY7f3a","must":"m"}{"CANARY7f3a":1}""",
        """{"api_key":"CANARY7f3a""",
        """CANARY7f3a""",
        """["CANARY7f3a"]""",
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void EveryBinderError_HoldsNoValueKeyOrJson(string json)
    {
        var exception = Assert.Throws<KongConfigException>(() => s_plugin.Value.CreateInstance(Encoding.UTF8.GetBytes(json)));

        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            Assert.DoesNotContain(Canary, current.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("4242", current.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(Canary, exception.ToString(), StringComparison.Ordinal);
        if (exception.Field is not null)
        {
            Assert.StartsWith("invalid config field '" + exception.Field + "': ", exception.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("""{"multipliers":{"CANARY7f3a":"x"},"must":"m"}""", "multipliers.<key>")]
    [InlineData("""{"upstreams":{"CANARY7f3a":{"port":"p"}},"must":"m"}""", "upstreams.<key>.port")]
    [InlineData("""{"echo":{"value":"bad-CANARY7f3a"},"must":"m"}""", null)]
    public void BinderErrors_NameThePathWithoutTheMapKey(string json, string? field)
    {
        var exception = Assert.Throws<KongConfigException>(() => s_plugin.Value.CreateInstance(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(field, exception.Field);
    }

    [Fact]
    public void SetterException_IsReportedByTypeOnly()
    {
        var exception = Assert.Throws<KongConfigException>(() =>
            s_plugin.Value.CreateInstance("""{"echo":{"value":"bad-CANARY7f3a"},"must":"m"}"""u8));
        Assert.Equal("the configuration type threw System.ArgumentException while the configuration was bound", exception.Message);
        Assert.Null(exception.InnerException);
    }

    /// <summary>Review D5: binder errors reach Kong and the log as they are, so no public member of
    /// <see cref="KongConfigReader"/> may take text of the caller's: code that calls the members that did (and that
    /// the generated binders used to call) does not compile.</summary>
    [Theory]
    [InlineData("KongConfigReader.Error(\"api_key\", \"got CANARY7f3a\")")]
    [InlineData("KongConfigReader.Expected(ref reader, \"api_key\", \"CANARY7f3a\")")]
    [InlineData("KongConfigReader.InvalidJson(new System.Text.Json.JsonException(\"CANARY7f3a\"))")]
    public void UserCode_CannotCallABinderErrorMemberThatTakesItsOwnText(string call)
    {
        Diagnostic[] errors = CompileUserCall(call);
        Assert.NotEmpty(errors);
        Assert.All(errors, d => Assert.True(d.Id is "CS0117" or "CS0122", d.ToString()));
    }

    [Fact]
    public void UserCode_CanCallTheBinderErrorMembersThatComposeTheirOwnText()
        => Assert.Empty(CompileUserCall("KongConfigReader.Mismatch(KongConfigReader.Path(\"\", \"api_key\"), KongConfigExpectation.String, reader.TokenType)"));

    private static Diagnostic[] CompileUserCall(string call)
        => TestCompiler.Create($$"""
            using Kong.Pdk.Hosting;
            public static class UserCode
            {
                public static System.Exception Make()
                {
                    var reader = new System.Text.Json.Utf8JsonReader(System.ReadOnlySpan<byte>.Empty);
                    return {{call}};
                }
            }
            """).GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();

    [Fact]
    public void EveryPublicBinderErrorMember_TakesNoTextButAPath()
    {
        MethodInfo[] members = typeof(KongConfigReader).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.ReturnType == typeof(KongConfigException))
            .ToArray();
        Assert.NotEmpty(members);
        Assert.All(members, m => Assert.All(
            m.GetParameters().Where(p => p.ParameterType == typeof(string)),
            p => Assert.Equal("path", p.Name)));
    }

    [Fact]
    public void PublicBinderErrorMembers_ShowAPathOnlyWhenItIsShapedLikeOne()
    {
        const string hidden = "invalid config field '(a field; its name is not shown)': ";
        KongConfigException mismatch = KongConfigReader.Mismatch("token CANARY7f3a", KongConfigExpectation.String, JsonTokenType.Number);
        Assert.Equal(hidden + "expected a string, got a number", mismatch.Message);
        Assert.Null(mismatch.Field);
        Assert.Equal(hidden + "the field is required but missing", KongConfigReader.Missing("got: CANARY7f3a").Message);
        Assert.Equal("the configuration is empty", KongConfigReader.EmptyConfiguration().Message);

        KongConfigException shaped = KongConfigReader.Mismatch(KongConfigReader.Item(KongConfigReader.MapValue("x-limits"), 2), KongConfigExpectation.OneOf, JsonTokenType.String);
        Assert.Equal("invalid config field 'x-limits.<key>[2]': expected one of the values the field's schema lists, got another string", shaped.Message);
        Assert.Equal("x-limits.<key>[2]", shaped.Field);
    }

    [Fact]
    public void IntegerRange_IsShownOnlyWhenItIsTheRangeOfADotNetIntegerType()
    {
        Assert.Equal("invalid config field 'n': expected an integer from 0 to 255, got a number", ReadIntegerError("300", 0, 255));
        Assert.Equal("invalid config field 'n': expected an integer in the field's range, got a number", ReadIntegerError("7", 424242424242, 424242424243));
    }

    private static string ReadIntegerError(string json, long min, long max)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        try
        {
            KongConfigReader.ReadInteger(ref reader, "n", min, max);
        }
        catch (KongConfigException ex)
        {
            return ex.Message;
        }

        throw new InvalidOperationException("no error");
    }
}
