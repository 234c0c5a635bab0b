using Kong.Pdk.Generators.Diagnostics;
using Xunit;
using Verify = Kong.Pdk.Generators.Tests.Verifiers;

namespace Kong.Pdk.Generators.Tests;

public class PhaseSignatureAnalyzerTests
{
    private static Task Check(string source) => Verify.AnalyzeAsync<PhaseSignatureAnalyzer>(source);

    [Fact]
    public Task KONG0001_VoidHandler_IsReported() => Check("""
        [KongPlugin("p")] public partial class P { public void {|KONG0001:Access|}(IKong kong) { } }
        """);

    [Fact]
    public Task KONG0001_GenericTaskAndOtherTypes_AreReported() => Check("""
        [KongPlugin("p")] public partial class P
        {
            public Task<int> {|KONG0001:Access|}(IKong kong) => Task.FromResult(1);
            public ValueTask<bool> {|KONG0001:Log|}(IKong kong) => default;
            public int {|KONG0001:Rewrite|}(IKong kong) => 0;
        }
        """);

    [Fact]
    public Task KONG0001_ValidShapes_AreNotReported() => Check("""
        [KongPlugin("p")] public partial class P
        {
            public ValueTask Access(IKong kong) => default;
            public async ValueTask Rewrite(IKong kong, CancellationToken cancellationToken) => await Task.Delay(1, cancellationToken);
            public Task Response(IKong kong) => Task.CompletedTask;
            public async Task Log(IKong kong, CancellationToken cancellationToken) => await Task.Yield();
            public ValueTask Certificate(IKong kong, CancellationToken ct) => default;
            public Task Preread(IKong k) => Task.CompletedTask;
        }
        """);

    [Fact]
    public Task KONG0002_WrongOrExtraParameters_AreReported() => Check("""
        [KongPlugin("p")] public partial class P
        {
            public ValueTask {|KONG0002:Access|}() => default;
            public ValueTask {|KONG0002:Rewrite|}(string kong) => default;
            public ValueTask {|KONG0002:Response|}(IKong kong, int retries) => default;
            public ValueTask {|KONG0002:Log|}(IKong kong, CancellationToken cancellationToken, int extra) => default;
            public ValueTask {|KONG0002:Preread|}(CancellationToken cancellationToken, IKong kong) => default;
            public ValueTask {|KONG0002:Certificate|}(ref IKong kong) => default;
        }
        """);

    [Fact]
    public Task KONG0003_AsyncVoid_IsReportedAlone() => Check("""
        [KongPlugin("p")] public partial class P { public async void {|KONG0003:Access|}(IKong kong) => await Task.Yield(); }
        """);

    [Fact]
    public Task KONG0004_StaticOrNonPublic_IsReported() => Check("""
        [KongPlugin("p")] public partial class P
        {
            private ValueTask {|KONG0004:Access|}(IKong kong) => default;
            internal ValueTask {|KONG0004:Rewrite|}(IKong kong) => default;
            public static ValueTask {|KONG0004:Log|}(IKong kong) => default;
        }
        """);

    [Fact]
    public Task KONG0005_LookAlikes_AreReported() => Check("""
        [KongPlugin("p")] public partial class P
        {
            public ValueTask Access(IKong kong) => default;
            public ValueTask {|KONG0005:HeaderFilter|}(IKong kong) => default;
            public void {|KONG0005:BodyFilter|}() { }
            public ValueTask {|KONG0005:header_filter|}(IKong kong) => default;
            public ValueTask {|KONG0005:Acess|}(IKong kong) => default;
            public ValueTask {|KONG0005:Rewite|}(IKong kong) => default;
            public ValueTask {|KONG0005:response|}() => default;
            public ValueTask {|KONG0005:LogAsync|}(IKong kong) => default;
            public ValueTask {|KONG0005:Lgo|}(IKong kong) => default;
            public ValueTask {|KONG0005:InitWorker|}(IKong kong) => default;
        }
        """);

    [Fact]
    public Task KONG0005_MessageNamesTheSuggestion() => Verify.AnalyzeAsync<PhaseSignatureAnalyzer>("""
        [KongPlugin("p")] public partial class P
        {
            public ValueTask Access(IKong kong) => default;
            public ValueTask {|#0:Acess|}(IKong kong) => default;
        }
        """, new Microsoft.CodeAnalysis.Testing.DiagnosticResult(Descriptors.PhaseLookAlike).WithLocation(0)
            .WithMessage("Method 'Acess' is not a Kong phase handler and will never run; did you mean 'Access'?"));

    [Fact]
    public Task KONG0005_FilterPhase_SaysFilterPhasesAreNotAvailable_AndSuggestsResponse() => Verify.AnalyzeAsync<PhaseSignatureAnalyzer>("""
        [KongPlugin("p")] public partial class P
        {
            public ValueTask Access(IKong kong) => default;
            public ValueTask {|#0:BodyFilter|}(IKong kong) => default;
            public ValueTask {|#1:InitWorker|}(IKong kong) => default;
        }
        """,
        new Microsoft.CodeAnalysis.Testing.DiagnosticResult(Descriptors.PhaseLookAlike).WithLocation(0)
            .WithMessage("Method 'BodyFilter' is not a Kong phase handler and will never run; the filter phases (header_filter, body_filter) are not available to external plugins; to read or change the response, implement 'Response', which makes Kong buffer it"),
        new Microsoft.CodeAnalysis.Testing.DiagnosticResult(Descriptors.PhaseLookAlike).WithLocation(1)
            .WithMessage("Method 'InitWorker' is not a Kong phase handler and will never run; the init_worker phase is not available to external plugins; do one-time setup in the plugin's constructor or in a static field"));

    [Fact]
    public Task KONG0002_GenericHandler_MessageSaysItMustNotBeGeneric() => Verify.AnalyzeAsync<PhaseSignatureAnalyzer>("""
        [KongPlugin("p")] public partial class P
        {
            public ValueTask {|#0:Access|}<T>(IKong kong) => default;
            public ValueTask {|#1:Log|}<T>(T kong) => default;
            public ValueTask {|#2:Rewrite|}(IKong kong, int retries) => default;
        }
        """,
        new Microsoft.CodeAnalysis.Testing.DiagnosticResult(Descriptors.HandlerParameters).WithLocation(0)
            .WithMessage("Phase handler 'Access' must not be generic: the plugin server cannot choose its type arguments"),
        new Microsoft.CodeAnalysis.Testing.DiagnosticResult(Descriptors.HandlerParameters).WithLocation(1)
            .WithMessage("Phase handler 'Log' must not be generic (the plugin server cannot choose type arguments) and must take (IKong kong) or (IKong kong, CancellationToken cancellationToken)"),
        new Microsoft.CodeAnalysis.Testing.DiagnosticResult(Descriptors.HandlerParameters).WithLocation(2)
            .WithMessage("Phase handler 'Rewrite' must take (IKong kong) or (IKong kong, CancellationToken cancellationToken)"));

    [Fact]
    public Task KONG0005_OrdinaryHelpers_AreNotReported() => Check("""
        [KongPlugin("p")] public partial class P
        {
            public ValueTask Access(IKong kong) => default;
            public string Login(string user) => user;
            public int Logs() => 0;
            public void Write(string text) { }
            public ValueTask Process(IKong kong) => default;
            public void Configure(string setting) { }
            private static string Format(string value) => value;
        }
        """);

    [Fact]
    public Task KONG0006_SecondHandlerOfAPhase_IsReported() => Check("""
        [KongPlugin("p")] public partial class P
        {
            public ValueTask Access(IKong kong) => default;
            public ValueTask {|KONG0006:Access|}(IKong kong, CancellationToken cancellationToken) => default;
        }
        """);

    [Fact]
    public Task KONG0007_NoHandler_IsReported() => Check("""
        [KongPlugin("p")] public partial class {|KONG0007:P|} { public string Greeting { get; set; } = "hi"; }
        """);

    [Fact]
    public Task KONG0007_OneHandler_IsEnough() => Check("""
        [KongPlugin("p")] public partial class P { public Task Log(IKong kong) => Task.CompletedTask; }
        """);

    [Fact]
    public Task Phases_ClassWithoutKongPlugin_IsIgnored() => Check("""
        public class NotAPlugin { public void Access(IKong kong) { } public void HeaderFilter() { } }
        """);

    [Fact]
    public Task Phases_RepresentativePlugins_HaveNoDiagnostics()
        => Check(Plugins.WorkedExample + Plugins.Vectors + Plugins.AllTypes);
}

public class ConfigPropertyAnalyzerTests
{
    private static Task Check(string source) => Verify.AnalyzeAsync<ConfigPropertyAnalyzer>(source);

    private static string Plugin(string members) => "[KongPlugin(\"p\")] public partial class P\n{\n" + members
        + "\n    public ValueTask Access(IKong kong) => default;\n}\n";

    [Fact]
    public Task KONG0101_UnsupportedTypes_AreReported() => Check(Plugin("""
            public object {|KONG0101:Anything|} { get; set; } = new();
            public DateTime {|KONG0101:When|} { get; set; }
            public TimeSpan {|KONG0101:Timeout|} { get; set; }
            public byte[] {|KONG0101:Blob|} { get; set; } = [];
            public Dictionary<int, string> {|KONG0101:ByNumber|} { get; set; } = new();
            public IComparable? {|KONG0101:Comparable|} { get; set; }
            public List<object> {|KONG0101:Objects|} { get; set; } = [];
            public Node? Tree { get; set; }
            public NoDefaultConstructor? {|KONG0101:Odd|} { get; set; }
            public int[,] {|KONG0101:Grid|} { get; set; } = new int[0, 0];
        """) + """
        public sealed class Node { public Node? {|KONG0101:Next|} { get; set; } }
        public sealed class NoDefaultConstructor { public NoDefaultConstructor(int x) { } public int X { get; set; } }
        """);

    [Fact]
    public Task KONG0101_NonConfigProperties_AreIgnored() => Check(Plugin("""
            public object Computed => new();
            public DateTime Started { get; private set; }
            internal object Internal { get; set; } = new();
            public static object Shared { get; set; } = new();
        """));

    [Fact]
    public Task KONG0102_DefaultOfTheWrongType_IsReported() => Check(Plugin("""
            [{|KONG0102:KongDefault("three")|}] public int Count { get; set; } = 3;
            [{|KONG0102:KongDefault(1.5)|}] public int Whole { get; set; }
            [{|KONG0102:KongDefault(1)|}] public string Text { get; set; } = "";
            [{|KONG0102:KongDefault("loud")|}] public Mode Mode { get; set; }
            [{|KONG0102:KongDefault("x")|}] public Guid Id { get; set; }
            [{|KONG0102:KongDefault(new[] { 1, 2 })|}] public List<string> Names { get; set; } = [];
        """) + "public enum Mode { Quiet, Normal }\n");

    [Fact]
    public Task KONG0102_DefaultBreakingItsOwnConstraints_IsReported() => Check(Plugin("""
            [KongBetween(1, 10)] public int {|KONG0102:Retries|} { get; set; } = 20;
            [KongGreaterThan(0)] public double {|KONG0102:Ratio|} { get; set; } = 0;
            [KongOneOf("http", "https")] public string {|KONG0102:Scheme|} { get; set; } = "ftp";
            [KongLength(Max = 3)] public string {|KONG0102:Code|} { get; set; } = "toolong";
            [KongLength(Min = 1)] public List<string> {|KONG0102:Hosts|} { get; set; } = [];
            [KongBetween(0, 100)] public byte {|KONG0102:Small|} { get; set; } = 200;
        """));

    [Fact]
    public Task KONG0102_ValidDefaults_AreNotReported() => Check(Plugin("""
            [KongDefault(5)] public int Count { get; set; } = Compute();
            [KongDefault(2)] public double Ratio { get; set; } = Compute();
            [KongDefault("normal")] public Mode Mode { get; set; }
            [KongDefault("Quiet")] public Mode Other { get; set; }
            [KongDefault(new[] { "a", "b" })] public List<string> Names { get; set; } = new(Compute());
            [KongBetween(1, 10)] public int Retries { get; set; } = 10;
            [KongOneOf("http", "https")] public string Scheme { get; set; } = "https";
            private static int Compute() => 5;
        """) + "public enum Mode { Quiet, Normal }\n");

    [Fact]
    public Task KONG0103_DescriptionLength_IsReported() => Check(Plugin($$"""
            [{|KONG0103:KongDescription("Too short")|}] public string A { get; set; } = "";
            [{|KONG0103:KongDescription("{{new string('x', 501)}}")|}] public string B { get; set; } = "";
            [KongDescription("Exactly ten")] public string C { get; set; } = "";
            [KongDescription("{{new string('y', 500)}}")] public string D { get; set; } = "";
        """));

    [Fact]
    public Task KONG0104_ConstraintsOnTheWrongType_AreReported() => Check(Plugin("""
            [{|KONG0104:KongBetween(1, 5)|}] public string Name { get; set; } = "";
            [{|KONG0104:KongBetween(5, 1)|}] public int Backwards { get; set; } = 3;
            [{|KONG0104:KongLuaPattern("^%d+$")|}] public int Digits { get; set; }
            [{|KONG0104:KongLength|}] public string NoLimits { get; set; } = "";
            [{|KONG0104:KongLength(Min = 3, Max = 2)|}] public string Crossed { get; set; } = "abc";
            [{|KONG0104:KongOneOf("a")|}] public Mode Mode { get; set; }
            [{|KONG0104:KongOneOf(1, 2)|}] public string Wrong { get; set; } = "";
            [{|KONG0104:KongReferenceable|}] public int Port { get; set; } = 1;
            [{|KONG0104:KongEncrypted|}] public bool Flag { get; set; }
            [{|KONG0104:KongRequired|}] public string? Optional { get; set; }
            [{|KONG0104:KongGreaterThan(0)|}] public List<int> Numbers { get; set; } = [];
            [{|KONG0104:KongBetween(300, 400)|}] public byte Narrow { get; set; } = 0;
        """) + "public enum Mode { A, B }\n");

    [Fact]
    public Task KONG0104_ConstraintsOnTheRightType_AreNotReported() => Check(Plugin("""
            [KongBetween(1, 5)] public double Ratio { get; set; } = 2;
            [KongLuaPattern("^%d+$")] public string Digits { get; set; } = "1";
            [KongLength(Min = 1, Max = 3)] public List<int> Numbers { get; set; } = [1];
            [KongOneOf(1, 2)] public int Choice { get; set; } = 1;
            [KongReferenceable, KongEncrypted] public List<string> Secrets { get; set; } = [];
            [KongRequired] public string Needed { get; set; } = "x";
            [KongGreaterThan(0)] public int Positive { get; set; } = 1;
        """));

    [Fact]
    public Task KONG0105_LongAndDecimal_Warn() => Check(Plugin("""
            public long {|KONG0105:Big|} { get; set; }
            public ulong? {|KONG0105:Unsigned|} { get; set; }
            public decimal {|KONG0105:Money|} { get; set; }
            public List<long> {|KONG0105:Ids|} { get; set; } = [];
            public int Small { get; set; }
            public double Ratio { get; set; }
        """));

    [Fact]
    public Task KONG0106_DuplicateFieldNames_AreReported() => Check(Plugin("""
            [KongField("host")] public string Server { get; set; } = "";
            public string {|KONG0106:Host|} { get; set; } = "";
            public string MaxRetries { get; set; } = "";
            [KongField("max_retries")] public string {|KONG0106:Retries|} { get; set; } = "";
        """));

    [Fact]
    public Task KONG0107_InvalidFieldNames_AreReported() => Check(Plugin("""
            [{|KONG0107:KongField("")|}] public string A { get; set; } = "";
            [{|KONG0107:KongField("a.b")|}] public string B { get; set; } = "";
            [{|KONG0107:KongField("__seq__")|}] public string C { get; set; } = "";
            [{|KONG0107:KongField("route_id")|}] public string D { get; set; } = "";
            public string {|KONG0107:ServiceId|} { get; set; } = "";
            [KongField("x-header")] public string E { get; set; } = "";
        """));

    [Fact]
    public Task Config_NestedRecordProblems_AreReportedOnTheirProperties() => Check(Plugin("""
            public Upstream Upstream { get; set; } = new();
            public List<Upstream> Others { get; set; } = [];
        """) + """
        public sealed class Upstream
        {
            public object {|KONG0101:Bad|} { get; set; } = new();
            [{|KONG0103:KongDescription("short")|}] public string Host { get; set; } = "";
        }
        """);

    [Fact]
    public Task Config_RepresentativePlugins_HaveNoDiagnostics()
        => Check(Plugins.WorkedExample + Plugins.Vectors + Plugins.Hello);
}

public class PluginDeclarationAnalyzerTests
{
    private static Task Check(string source) => Verify.AnalyzeAsync<PluginDeclarationAnalyzer>(source);

    [Fact]
    public Task KONG0201_NotPartial_IsReported() => Check("""
        [KongPlugin("p")] public sealed class {|KONG0201:P|} { public ValueTask Access(IKong kong) => default; }
        """);

    [Fact]
    public Task KONG0201_ContainingTypeNotPartial_IsReported() => Check("""
        public static class {|KONG0201:Outer|}
        {
            [KongPlugin("p")] public partial class P { public ValueTask Access(IKong kong) => default; }
        }
        """);

    [Fact]
    public Task KONG0201_PartialEverywhere_IsNotReported() => Check("""
        public static partial class Outer
        {
            [KongPlugin("p")] public partial class P { public ValueTask Access(IKong kong) => default; }
        }
        public partial class Outer2 { }
        """);

    [Fact]
    public Task KONG0202_InvalidVersions_AreReported() => Check("""
        [KongPlugin("a", Version = {|KONG0202:"1.x"|})] public partial class A { }
        [KongPlugin("b", Version = {|KONG0202:"1"|})] public partial class B { }
        [KongPlugin("c", Version = {|KONG0202:"1.2.3.4"|})] public partial class C { }
        [KongPlugin("d", Version = {|KONG0202:"1.2.3-beta"|})] public partial class D { }
        [KongPlugin("e", Version = {|KONG0202:""|})] public partial class E { }
        [KongPlugin("f", Version = "1.2")] public partial class F { }
        [KongPlugin("g", Version = "10.20.30", Priority = -100)] public partial class G { }
        [KongPlugin("h")] public partial class H { }
        """);

    [Fact]
    public Task KONG0203_InvalidNames_AreReported() => Check("""
        [KongPlugin({|KONG0203:"My Plugin"|})] public partial class A { }
        [KongPlugin({|KONG0203:""|})] public partial class B { }
        [KongPlugin({|KONG0203:"1st"|})] public partial class C { }
        [KongPlugin({|KONG0203:"UPPER"|})] public partial class D { }
        [KongPlugin("rate-limit_2")] public partial class E { }
        """);

    [Fact]
    public Task KONG0204_DuplicateNames_AreReported() => Check("""
        [KongPlugin("same")] public partial class A { }
        [KongPlugin({|KONG0204:"same"|})] public partial class B { }
        [KongPlugin("other")] public partial class C { }
        """);

    [Fact]
    public Task KONG0205_UninstantiablePlugins_AreReported() => Check("""
        [KongPlugin("a")] public abstract partial class {|KONG0205:A|} { }
        [KongPlugin("b")] public partial class {|KONG0205:B|}<T> { }
        [KongPlugin("c")] public partial class {|KONG0205:C|} { public C(IServiceProvider x) { } public C(IDisposable y) { } }
        public partial class Outer
        {
            [KongPlugin("d")] private partial class {|KONG0205:D|} { }
        }
        [KongPlugin("e")] public static partial class {|KONG0205:E|} { }
        [KongPlugin("f")] public partial class F { private F() { } }
        [KongPlugin("g")] public partial class {|KONG0205:G|} { public string Descriptor { get; set; } = ""; }
        """);

    [Fact]
    public Task KONG0206_BundledPluginNames_AreReported() => Check("""
        [KongPlugin({|KONG0206:"cors"|})] public partial class A { public ValueTask Access(IKong kong) => default; }
        [KongPlugin({|KONG0206:"rate-limiting"|})] public partial class B { public ValueTask Access(IKong kong) => default; }
        [KongPlugin({|KONG0206:"ai-proxy"|})] public partial class C { public ValueTask Access(IKong kong) => default; }
        [KongPlugin("cors-dotnet")] public partial class D { public ValueTask Access(IKong kong) => default; }
        [KongPlugin("my-rate-limiting")] public partial class E { public ValueTask Access(IKong kong) => default; }
        """);

    [Fact]
    public Task KONG0206_Message_SaysKongLoadsItsOwnPlugin() => Verify.AnalyzeAsync<PluginDeclarationAnalyzer>("""
        [KongPlugin({|#0:"key-auth"|})] public partial class A { public ValueTask Access(IKong kong) => default; }
        """,
        new Microsoft.CodeAnalysis.Testing.DiagnosticResult(DiagnosticIds.BundledPluginName, Microsoft.CodeAnalysis.DiagnosticSeverity.Error)
            .WithLocation(0)
            .WithMessage("Plugin name 'key-auth' is the name of a plugin bundled with Kong; Kong loads its own 'key-auth' and this plugin never runs, choose another name"));

    [Fact]
    public Task KONG0207_NameTooLongForTheSocketPath_IsReported_AtTheLimitItIsNot()
    {
        // /usr/local/kong/ (16) + name + .socket (7) must stay within 107 bytes: 84 characters fit, 85 do not.
        string fits = "a" + new string('b', 83);
        string tooLong = fits + "c";
        return Verify.AnalyzeAsync<PluginDeclarationAnalyzer>(
            "[KongPlugin(\"" + fits + "\")] public partial class A { public ValueTask Access(IKong kong) => default; }\n"
            + "[KongPlugin({|#0:\"" + tooLong + "\"|})] public partial class B { public ValueTask Access(IKong kong) => default; }\n",
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult(DiagnosticIds.SocketPathTooLong, Microsoft.CodeAnalysis.DiagnosticSeverity.Warning)
                .WithLocation(0)
                .WithArguments(tooLong, "/usr/local/kong/" + tooLong + ".socket", 108));
    }

    [Fact]
    public Task KONG0208_HandlerOnABaseClass_IsReported_UnlessThePluginDeclaresThePhase() => Verify.AnalyzeAsync<PluginDeclarationAnalyzer>("""
        public abstract class PluginBase
        {
            public ValueTask Access(IKong kong) => default;
            public ValueTask Log(IKong kong) => default;
            public static ValueTask Rewrite(IKong kong) => default;
        }

        [KongPlugin("p")] public partial class {|#0:P|} : PluginBase
        {
            public new ValueTask Log(IKong kong) => base.Log(kong);
        }
        """,
        new Microsoft.CodeAnalysis.Testing.DiagnosticResult(DiagnosticIds.InheritedHandler, Microsoft.CodeAnalysis.DiagnosticSeverity.Warning)
            .WithLocation(0)
            .WithMessage("'Access' is declared on the base class 'PluginBase' and will never run: only methods declared in 'P' are phase handlers; declare 'Access' in 'P' (it may call base.Access)"));

    [Fact]
    public Task Declaration_RepresentativePlugins_HaveNoDiagnostics()
        => Check(Plugins.WorkedExample + Plugins.Vectors + Plugins.AllTypes + Plugins.Hello);
}

/// <summary>In a real build the analyzers see the generator's output too; they must not report it.</summary>
public class AnalyzersOnGeneratedOutputTests
{
    [Theory]
    [InlineData(nameof(Plugins.Hello))]
    [InlineData(nameof(Plugins.WorkedExample))]
    [InlineData(nameof(Plugins.Vectors))]
    public async Task Analyzers_CompilationWithGeneratedCode_ReportNothing(string plugin)
    {
        string source = (string)typeof(Plugins).GetField(plugin)!.GetValue(null)!;
        var result = TestCompiler.Run(TestCompiler.Create(TestCompiler.Usings + source, Microsoft.CodeAnalysis.OutputKind.ConsoleApplication));
        Assert.NotEmpty(result.Files);
        var analyzers = System.Collections.Immutable.ImmutableArray.Create<Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer>(
            new PhaseSignatureAnalyzer(), new ConfigPropertyAnalyzer(), new PluginDeclarationAnalyzer(), new PdkPhaseUsageAnalyzer(),
            new PdkCallAnalyzer(), new HandlerStateAnalyzer(), new PluginServicesAnalyzer());
        var diagnostics = await new Microsoft.CodeAnalysis.Diagnostics.CompilationWithAnalyzers(result.Output, analyzers, options: null)
            .GetAnalyzerDiagnosticsAsync();
        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task Analyzers_AuthorDescriptorMember_IsStillReportedWithGeneratedCodePresent()
    {
        var compilation = TestCompiler.Create(TestCompiler.Usings + """
            [KongPlugin("g")] public partial class G
            {
                public static int Descriptor => 1;
                public ValueTask Access(IKong kong) => default;
            }
            """);
        var result = TestCompiler.Run(compilation);
        Assert.Empty(result.Files); // the generator skips the class
        var diagnostics = await new Microsoft.CodeAnalysis.Diagnostics.CompilationWithAnalyzers(result.Output,
            System.Collections.Immutable.ImmutableArray.Create<Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer>(new PluginDeclarationAnalyzer()),
            options: null).GetAnalyzerDiagnosticsAsync();
        Assert.Equal(DiagnosticIds.PluginNotInstantiable, Assert.Single(diagnostics).Id);
    }
}
