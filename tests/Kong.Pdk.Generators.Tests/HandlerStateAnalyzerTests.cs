using Kong.Pdk.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using Verify = Kong.Pdk.Generators.Tests.Verifiers;

namespace Kong.Pdk.Generators.Tests;

/// <summary>KONG0304: a phase handler writes state that every concurrent request of the instance shares.</summary>
public class HandlerStateAnalyzerTests
{
    private static Task Check(string source, params DiagnosticResult[] expected) => Verify.AnalyzeAsync<HandlerStateAnalyzer>(source, expected);

    [Fact]
    public Task KONG0304_FieldPropertyAndStaticWrites_AreReported() => Check("""
        [KongPlugin("p")] public partial class P
        {
            private string? _lastPath;
            private int _count;
            private static int s_total;
            public string Greeting { get; set; } = "hi";

            public async ValueTask Access(IKong kong, CancellationToken cancellationToken)
            {
                {|#0:_lastPath|} = await kong.Request.GetPathAsync(cancellationToken);
                {|KONG0304:this._count|}++;
                {|KONG0304:_count|} += 2;
                {|KONG0304:s_total|}--;
                {|KONG0304:Greeting|} ??= "hello";
                Action later = () => {|KONG0304:_lastPath|} = null;
                later();
            }
        }
        """,
        new DiagnosticResult(DiagnosticIds.HandlerWritesInstanceState, DiagnosticSeverity.Warning)
            .WithLocation(0)
            .WithMessage("Phase handler 'Access' writes '_lastPath', which every concurrent request of this plugin instance shares; keep per-request state in locals or kong.Ctx"));

    [Fact]
    public Task KONG0304_LocalsReadsOtherObjectsAndNonHandlers_AreNotReported() => Check("""
        public sealed class Counter { public int Value { get; set; } }

        [KongPlugin("p")] public partial class P
        {
            private readonly Counter _counter = new();
            private int _hits;
            private string _greeting = "hi";

            public P() => _greeting = "hello";

            public ValueTask Access(IKong kong)
            {
                int local = _hits;
                local++;
                var counter = new Counter { Value = 3 };
                counter.Value = 4;
                Interlocked.Increment(ref _hits);
                return kong.Response.SetHeaderAsync("x-greeting", _greeting);
            }

            public void Configure(string greeting) => _greeting = greeting;
        }

        public class NotAPlugin
        {
            private int _n;
            public ValueTask Access(IKong kong) { _n++; return default; }
        }
        """);
}

public class HandlerStateCodeFixTests
{
    /// <summary>The diagnostics are reported and no code fix is offered (the source stays as it is).</summary>
    private static Task NoFix(string source) => Fix(source, source);

    private static Task Fix(string source, string fixedSource)
        => Verify.FixAsync<HandlerStateAnalyzer, Kong.Pdk.CodeFixes.HandlerStateCodeFixProvider>(source, fixedSource, equivalenceKey: Kong.Pdk.CodeFixes.HandlerStateCodeFixProvider.Key);

    [Fact]
    public Task KONG0304_FieldUsedOnlyByOneHandler_BecomesALocal() => Fix("""
        [KongPlugin("p")] public partial class P
        {
            private string? _lastPath;
            private int _count = 1;

            public async ValueTask Access(IKong kong, CancellationToken cancellationToken)
            {
                {|KONG0304:_lastPath|} = await kong.Request.GetPathAsync(cancellationToken);
                {|KONG0304:this._count|}++;
                await kong.Response.SetHeaderAsync("x-path", _lastPath + _count, cancellationToken);
            }
        }
        """, """
        [KongPlugin("p")] public partial class P
        {
            public async ValueTask Access(IKong kong, CancellationToken cancellationToken)
            {
                int count = 1;
                string? lastPath = default;
                lastPath = await kong.Request.GetPathAsync(cancellationToken);
                count++;
                await kong.Response.SetHeaderAsync("x-path", lastPath + count, cancellationToken);
            }
        }
        """);

    [Fact]
    public Task KONG0304_SharedOrUninitialisableState_GetsNoFix() => NoFix("""
        [KongPlugin("p")] public partial class P
        {
            private string? _path;
            private string _name;
            public int Hits { get; set; }

            public P() => _name = "x";

            public async ValueTask Access(IKong kong)
            {
                {|KONG0304:_path|} = await kong.Request.GetPathAsync();
                {|KONG0304:_name|} = "y";
                {|KONG0304:Hits|}++;
            }

            public async ValueTask Log(IKong kong) => await kong.Log.InfoAsync(_path ?? _name);
        }
        """);
}
