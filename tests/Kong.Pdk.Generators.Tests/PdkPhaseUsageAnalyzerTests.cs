using Kong.Pdk.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using Verify = Kong.Pdk.Generators.Tests.Verifiers;

namespace Kong.Pdk.Generators.Tests;

/// <summary>KONG0301: PDK calls in a phase where Kong forbids them. The phases come from [KongPhases] on the real
/// Kong.Pdk assembly, so these tests also pin the attribute values the analyzer sees in metadata.</summary>
public class PdkPhaseUsageAnalyzerTests
{
    private static Task Check(string source, params DiagnosticResult[] expected) => Verify.AnalyzeAsync<PdkPhaseUsageAnalyzer>(source, expected);

    [Fact]
    public Task KONG0301_RequestGetterInLog_IsReportedWithMethodPhaseAndAllowedPhases() => Check("""
        [KongPlugin("p")] public partial class P
        {
            public async ValueTask Log(IKong kong, CancellationToken cancellationToken)
            {
                string path = await kong.Request.{|#0:GetPathAsync|}(cancellationToken);
            }
        }
        """,
        new DiagnosticResult(DiagnosticIds.PdkCallWrongPhase, DiagnosticSeverity.Warning)
            .WithLocation(0)
            .WithArguments("KongRequest.GetPathAsync", "Log", "Rewrite, Access, Response"));

    [Fact]
    public Task KONG0301_MessageText_NamesTheCallThePhaseAndKongsPhases() => Check("""
        [KongPlugin("p")] public partial class P
        {
            public async ValueTask Access(IKong kong) => await kong.Service.Response.{|#0:GetStatusAsync|}();
        }
        """,
        new DiagnosticResult(DiagnosticIds.PdkCallWrongPhase, DiagnosticSeverity.Warning)
            .WithLocation(0)
            .WithMessage("'KongServiceResponse.GetStatusAsync' cannot be called in the Access phase; Kong allows it only in: Response"));

    [Fact]
    public Task KONG0301_SavedDataGettersInLog_AreNotReported() => Check("""
        [KongPlugin("p")] public partial class P
        {
            public async ValueTask Log(IKong kong, CancellationToken cancellationToken)
            {
                string? host = await kong.Request.GetHeaderAsync("host", cancellationToken);
                var headers = await kong.Request.GetHeadersAsync(cancellationToken);
                int status = await kong.Response.GetStatusAsync(cancellationToken);
                var consumer = await kong.Client.GetConsumerAsync(cancellationToken);
                var route = await kong.Router.GetRouteAsync(cancellationToken);
                var log = await kong.Log.SerializeAsync(cancellationToken);
                await kong.Ctx.Shared.SetAsync("seen", true, cancellationToken);
                await kong.Log.InfoAsync("done", cancellationToken);
            }
        }
        """);

    [Fact]
    public Task KONG0301_SettersAndExitInLog_AreReported() => Check("""
        [KongPlugin("p")] public partial class P
        {
            public async ValueTask Log(IKong kong, CancellationToken cancellationToken)
            {
                await kong.Response.{|KONG0301:SetHeaderAsync|}("x-seen", "1", cancellationToken);
                await kong.Service.Request.{|KONG0301:SetHeaderAsync|}("x-seen", 1L, cancellationToken);
                await kong.Log.{|KONG0301:SetSerializeValueAsync|}("a", KongValue.From("b"), cancellationToken: cancellationToken);
                await kong.Response.{|KONG0301:ExitAsync|}(403, "no", cancellationToken: cancellationToken);
            }
        }
        """);

    [Fact]
    public Task KONG0301_ServiceResponseOutsideResponse_IsReported() => Check("""
        [KongPlugin("p")] public partial class P
        {
            public async ValueTask Access(IKong kong)
            {
                byte[] body = await kong.Service.Response.{|KONG0301:GetRawBodyAsync|}();
                string? type = await kong.Service.Response.{|KONG0301:GetHeaderAsync|}("content-type");
            }

            public async ValueTask Response(IKong kong)
            {
                byte[] body = await kong.Service.Response.GetRawBodyAsync();
                string text = await kong.Service.Response.GetRawBodyStringAsync();
                int status = await kong.Service.Response.GetStatusAsync();
            }

            public async Task Log(IKong kong) => await kong.Service.Response.{|KONG0301:GetRawBodyStringAsync|}();
        }
        """);

    [Fact]
    public Task KONG0301_LambdasAndLocalFunctionsInAHandler_AreReported() => Check("""
        [KongPlugin("p")] public partial class P
        {
            public async ValueTask Log(IKong kong, CancellationToken cancellationToken)
            {
                Func<Task<string>> path = async () => await kong.Request.{|KONG0301:GetPathAsync|}(cancellationToken);
                Func<IKong, ValueTask<string>> method = static k => k.Request.{|KONG0301:GetMethodAsync|}();
                await path();
                await Query();

                async ValueTask<string> Query() => await kong.Request.{|KONG0301:GetRawQueryAsync|}(cancellationToken);
            }
        }
        """);

    [Fact]
    public Task KONG0301_ConditionalAccessAndOverloads_AreReportedOnTheName() => Check("""
        [KongPlugin("p")] public partial class P
        {
            public async ValueTask Log(IKong kong)
            {
                Kong.Pdk.KongRequest? request = kong.Request;
                if (request is { } r) await r.{|KONG0301:GetQueryAsync|}(10);
                ValueTask<string>? scheme = request?.{|KONG0301:GetSchemeAsync|}();
                Kong.Pdk.KongRequest copy = kong.Request;
                string path = await copy.{|KONG0301:GetPathAsync|}();
            }
        }
        """);

    [Fact]
    public Task KONG0301_CertificateAndPrereadPhases_FollowTheAttribute() => Check("""
        [KongPlugin("p")] public partial class P
        {
            public async ValueTask Certificate(IKong kong)
            {
                await kong.Client.Tls.RequestClientCertificateAsync();
                int port = await kong.Request.GetPortAsync();
                string ip = await kong.Client.GetIpAsync();
                string host = await kong.Request.{|KONG0301:GetHostAsync|}();
            }

            public async ValueTask Preread(IKong kong)
            {
                await kong.Service.SetTargetAsync("10.0.0.1", 8080);
                string? v = await kong.Nginx.GetVarAsync("remote_addr");
                string? h = await kong.Request.{|KONG0301:GetHeaderAsync|}("host");
                await kong.Client.Tls.{|KONG0301:RequestClientCertificateAsync|}();
            }
        }
        """);

    [Fact]
    public Task KONG0301_AllowedCallsInEveryPhase_AreNotReported() => Check("""
        [KongPlugin("p")] public partial class P
        {
            public async ValueTask Rewrite(IKong kong)
            {
                string path = await kong.Request.GetPathAsync();
                await kong.Service.Request.SetPathAsync("/v2" + path);
            }

            public async ValueTask Access(IKong kong, CancellationToken cancellationToken)
            {
                string? host = await kong.Request.GetHeaderAsync("host", cancellationToken);
                await kong.Response.SetHeaderAsync("x-hello", host ?? "", cancellationToken);
                await kong.Service.SetUpstreamAsync("backend", cancellationToken);
                await kong.Response.ExitAsync(200, "ok", cancellationToken: cancellationToken);
            }

            public async ValueTask Response(IKong kong)
            {
                int status = await kong.Response.GetStatusAsync();
                await kong.Response.SetStatusAsync(status);
            }
        }
        """);

    [Fact]
    public Task KONG0301_CallInAHelperMethod_IsNotFollowed() => Check("""
        [KongPlugin("p")] public partial class P
        {
            // Known limitation (docs/diagnostics/KONG0301.md): only the handler's own body is analyzed.
            public ValueTask Log(IKong kong) => Record(kong);

            private async ValueTask Record(IKong kong) => await kong.Request.GetPathAsync();
        }
        """);

    [Fact]
    public Task KONG0301_OutsideAPluginOrAHandler_IsNotReported() => Check("""
        public class NotAPlugin
        {
            public async ValueTask Log(IKong kong) => await kong.Request.GetPathAsync();
        }

        [KongPlugin("p")] public partial class P
        {
            public async ValueTask Access(IKong kong) => await kong.Request.GetPathAsync();
            public async ValueTask LogLater(IKong kong) => await kong.Request.GetPathAsync();
            public static string Log(int x) => x.ToString();
        }
        """);

    [Fact]
    public Task KONG0301_ForbiddenCallsThatTheRuntimeAlsoRejects_MatchTheirPhases() => Check("""
        [KongPlugin("p")] public partial class P
        {
            public async ValueTask Rewrite(IKong kong)
            {
                await kong.Client.{|KONG0301:LoadConsumerAsync|}("alice", byUsername: true);
                await kong.Service.{|KONG0301:SetUpstreamAsync|}("backend");
                await kong.Response.{|KONG0301:GetHeaderAsync|}("x");
            }

            public async ValueTask Response(IKong kong)
            {
                await kong.Client.{|KONG0301:AuthenticateAsync|}(KongValue.From("c"));
                await kong.Service.Request.{|KONG0301:SetPathAsync|}("/");
            }
        }
        """);

    [Fact]
    public async Task KONG0301_GeneratedCode_IsNotAnalyzed()
    {
        var test = new Microsoft.CodeAnalysis.CSharp.Testing.CSharpAnalyzerTest<PdkPhaseUsageAnalyzer, DefaultVerifier>
        {
            ReferenceAssemblies = new ReferenceAssemblies("net8.0-basic"),
        };
        test.TestState.Sources.Add(("P.g.cs", "// <auto-generated/>\n" + Verify.Prefix + """
            [KongPlugin("p")] public partial class P
            {
                public async ValueTask Log(IKong kong) => await kong.Request.GetPathAsync();
            }
            """));
        test.TestState.AdditionalReferences.AddRange(TestCompiler.References);
        await test.RunAsync();
    }
    [Fact]
    public Task KONG0301_CallAsyncWithAConstantNameInAForbiddenPhase_IsReported() => Check("""
        [KongPlugin("p")] public partial class P
        {
            private const string SetHeader = "kong.response.set_header";

            public async ValueTask Log(IKong kong, CancellationToken cancellationToken)
            {
                await kong.CallAsync({|#0:"kong.response.set_header"|}, KongValue.From("x-a"), KongValue.From("1"));
                await kong.CallAsync({|KONG0301:SetHeader|}, new[] { KongValue.From("x-b"), KongValue.From("2") }, cancellationToken);
                await kong.CallAsync({|KONG0301:"kong.request.get_path"|});
                await kong.CallAsync("kong.client.get_consumer");
                await kong.CallAsync("kong.log.notice", KongValue.From("fine everywhere"));
                await kong.CallAsync("kong.enterprise.unknown_function");
            }

            public async ValueTask Access(IKong kong, string name)
            {
                await kong.CallAsync("kong.response.set_header", KongValue.From("x-a"), KongValue.From("1"));
            }

            public async ValueTask Rewrite(IKong kong)
            {
                string name = DateTime.Now.Second > 30 ? "kong.response.set_header" : "kong.log.info";
                await kong.CallAsync(name, KongValue.From("x"));
                await kong.CallAsync({|KONG0301:"kong.service.response.get_status"|});
            }
        }
        """,
        new DiagnosticResult(DiagnosticIds.PdkCallWrongPhase, DiagnosticSeverity.Warning)
            .WithLocation(0)
            .WithMessage("'kong.response.set_header' cannot be called in the Log phase; Kong allows it only in: Rewrite, Access, Response"));

    [Fact]
    public void KONG0301_GenericCallTable_IsTheFakeKongsCatalogue()
    {
        var expected = Kong.Pdk.Testing.FakePdk.CreateDefault().Functions
            .Where(f => f.Phases != Kong.Pdk.Testing.PdkPhaseSet.All)
            .ToDictionary(f => f.Method, f => (int)f.Phases);
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal),
            Kong.Pdk.Generators.Analysis.PdkFunctionPhases.Restricted.OrderBy(p => p.Key, StringComparer.Ordinal));
    }
}
