using Kong.Pdk.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using Verify = Kong.Pdk.Generators.Tests.Verifiers;

namespace Kong.Pdk.Generators.Tests;

/// <summary>KONG0302 (a PDK call waited on synchronously) and KONG0303 (a PDK call whose task is dropped).</summary>
public class PdkCallAnalyzerTests
{
    private static Task Check(string source, params DiagnosticResult[] expected) => Verify.AnalyzeAsync<PdkCallAnalyzer>(source, expected);

    [Fact]
    public Task KONG0302_ResultWaitAndGetResult_AreReported() => Check("""
        [KongPlugin("p")] public partial class P
        {
            public ValueTask Access(IKong kong, CancellationToken cancellationToken)
            {
                string path = {|#0:kong.Request.GetPathAsync(cancellationToken).Result|};
                string? host = {|KONG0302:kong.Request.GetHeaderAsync("host", cancellationToken).GetAwaiter().GetResult()|};
                {|KONG0302:kong.Response.SetHeaderAsync("x-a", "1", cancellationToken).AsTask().Wait()|};
                KongValue v = {|KONG0302:kong.CallAsync("kong.request.get_path").ConfigureAwait(false).GetAwaiter().GetResult()|};
                string scheme = {|KONG0302:(kong.Request.GetSchemeAsync(cancellationToken)).AsTask().Result|};
                return default;
            }
        }
        """,
        new DiagnosticResult(DiagnosticIds.BlockingPdkCall, DiagnosticSeverity.Warning)
            .WithLocation(0)
            .WithMessage("'.Result' blocks a thread until Kong answers 'KongRequest.GetPathAsync'; await the call instead"));

    [Fact]
    public Task KONG0302_InAHelperOutsideThePlugin_IsReported() => Check("""
        public static class Helpers
        {
            public static string Path(IKong kong) => {|KONG0302:kong.Request.GetPathAsync().Result|};
        }
        """);

    [Fact]
    public Task KONG0302_AwaitedCallsAndOtherTasks_AreNotReported() => Check("""
        [KongPlugin("p")] public partial class P
        {
            public async ValueTask Access(IKong kong, CancellationToken cancellationToken)
            {
                string path = await kong.Request.GetPathAsync(cancellationToken);
                string? host = await kong.Request.GetHeaderAsync("host", cancellationToken).ConfigureAwait(false);
                int n = Task.FromResult(1).Result;
                Task.Delay(1).Wait();
                ValueTask<string> pending = kong.Request.GetMethodAsync(cancellationToken);
                await pending;
            }
        }
        """);

    [Fact]
    public Task KONG0303_DiscardedAndUnawaitedCalls_AreReported() => Check("""
        [KongPlugin("p")] public partial class P
        {
            public ValueTask Access(IKong kong, CancellationToken cancellationToken)
            {
                _ = {|#0:kong.Response.SetHeaderAsync("x-a", "1", cancellationToken)|};
                {|KONG0303:kong.Log.InfoAsync("fire and forget")|};
                {|KONG0303:kong.CallAsync("kong.log.notice", KongValue.From("x")).ConfigureAwait(false)|};
                _ = {|KONG0303:kong.Response.SetHeaderAsync("x-b", "2", cancellationToken).AsTask()|};
                new List<string> { "a" }.ForEach(h => {|KONG0303:kong.Response.SetHeaderAsync(h, "3")|});
                return default;
            }
        }
        """,
        new DiagnosticResult(DiagnosticIds.UnawaitedPdkCall, DiagnosticSeverity.Warning)
            .WithLocation(0)
            .WithMessage("The result of 'KongResponse.SetHeaderAsync' is discarded; await it, or the handler may finish before Kong has done it and its failure is lost"));

    [Fact]
    public Task KONG0303_ReturnedStoredOrAwaitedCalls_AreNotReported() => Check("""
        [KongPlugin("p")] public partial class P
        {
            public ValueTask Access(IKong kong, CancellationToken cancellationToken) => kong.Response.SetHeaderAsync("x-a", "1", cancellationToken);

            public async ValueTask Log(IKong kong)
            {
                await kong.Log.InfoAsync("a");
                ValueTask pending = kong.Log.InfoAsync("b");
                await pending;
                Func<ValueTask> later = () => kong.Log.InfoAsync("c");
                await later();
                await Task.WhenAll(kong.Log.InfoAsync("d").AsTask(), kong.Log.InfoAsync("e").AsTask());
            }

            public ValueTask Rewrite(IKong kong)
            {
                return kong.Log.InfoAsync("f");
            }
        }
        """);
}
