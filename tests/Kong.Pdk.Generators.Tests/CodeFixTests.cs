using Kong.Pdk.CodeFixes;
using Kong.Pdk.Generators.Diagnostics;
using Xunit;
using Verify = Kong.Pdk.Generators.Tests.Verifiers;

namespace Kong.Pdk.Generators.Tests;

public class HandlerSignatureCodeFixTests
{
    private static Task Fix(string source, string fixedSource, string key, int iterations = -1)
        => Verify.FixAsync<PhaseSignatureAnalyzer, HandlerSignatureCodeFixProvider>(source, fixedSource, iterations, key);

    [Fact]
    public Task KONG0003_AsyncVoid_BecomesAsyncValueTask() => Fix("""
        [KongPlugin("p")] public partial class P
        {
            public async void {|KONG0003:Access|}(IKong kong, CancellationToken cancellationToken)
            {
                await Task.Delay(1, cancellationToken);
            }
        }
        """, """
        [KongPlugin("p")] public partial class P
        {
            public async ValueTask Access(IKong kong, CancellationToken cancellationToken)
            {
                await Task.Delay(1, cancellationToken);
            }
        }
        """, HandlerSignatureCodeFixProvider.ReturnTypeKey);

    [Fact]
    public Task KONG0001_SynchronousVoid_ReturnsDefault() => Fix("""
        [KongPlugin("p")] public partial class P
        {
            public int Calls { get; set; }

            public void {|KONG0001:Access|}(IKong kong)
            {
                if (Calls > 3)
                {
                    return;
                }

                Calls++;
            }
        }
        """, """
        [KongPlugin("p")] public partial class P
        {
            public int Calls { get; set; }

            public ValueTask Access(IKong kong)
            {
                if (Calls > 3)
                {
                    return default;
                }

                Calls++;
                return default;
            }
        }
        """, HandlerSignatureCodeFixProvider.ReturnTypeKey);

    [Fact]
    public Task KONG0001_ExpressionBodiedVoid_BecomesABlock() => Fix("""
        [KongPlugin("p")] public partial class P
        {
            public int Calls { get; set; }

            public void {|KONG0001:Log|}(IKong kong) => Calls++;
        }
        """, """
        [KongPlugin("p")] public partial class P
        {
            public int Calls { get; set; }

            public ValueTask Log(IKong kong)
            {
                Calls++;
                return default;
            }
        }
        """, HandlerSignatureCodeFixProvider.ReturnTypeKey);

    [Fact]
    public Task KONG0001_AsyncTaskOfT_WithoutValues_BecomesValueTask() => Fix("""
        [KongPlugin("p")] public partial class P
        {
            public async Task<int> {|KONG0001:Access|}(IKong kong)
            {
                await Task.Yield();
                throw new InvalidOperationException();
            }
        }
        """, """
        [KongPlugin("p")] public partial class P
        {
            public async ValueTask Access(IKong kong)
            {
                await Task.Yield();
                throw new InvalidOperationException();
            }
        }
        """, HandlerSignatureCodeFixProvider.ReturnTypeKey);

    [Fact]
    public Task KONG0001_ThrowingBody_GetsNoUnreachableReturn() => Fix("""
        [KongPlugin("p")] public partial class P
        {
            public void {|KONG0001:Access|}(IKong kong)
            {
                throw new NotSupportedException();
            }
        }
        """, """
        [KongPlugin("p")] public partial class P
        {
            public ValueTask Access(IKong kong)
            {
                throw new NotSupportedException();
            }
        }
        """, HandlerSignatureCodeFixProvider.ReturnTypeKey);

    [Fact]
    public Task KONG0001_FixAll_FixesEveryHandler() => Fix("""
        [KongPlugin("p")] public partial class P
        {
            public async void {|KONG0003:Access|}(IKong kong) => await Task.Yield();
            public void {|KONG0001:Log|}(IKong kong) { }
            public async void {|KONG0003:Response|}(IKong kong) => await Task.Yield();
        }
        """, """
        [KongPlugin("p")] public partial class P
        {
            public async ValueTask Access(IKong kong) => await Task.Yield();
            public ValueTask Log(IKong kong)
            {
                return default;
            }
            public async ValueTask Response(IKong kong) => await Task.Yield();
        }
        """, HandlerSignatureCodeFixProvider.ReturnTypeKey);

    [Fact]
    public Task KONG0002_ExtraParameter_IsReplacedByTheToken() => Fix("""
        [KongPlugin("p")] public partial class P
        {
            public ValueTask {|KONG0002:Access|}(IKong pdk, int retries) => default;
        }
        """, """
        [KongPlugin("p")] public partial class P
        {
            public ValueTask Access(IKong pdk, CancellationToken cancellationToken) => default;
        }
        """, HandlerSignatureCodeFixProvider.ParametersKey);

    [Fact]
    public Task KONG0002_MissingParameters_AreAdded() => Fix("""
        [KongPlugin("p")] public partial class P
        {
            public ValueTask {|KONG0002:Access|}() => default;
            public Task {|KONG0002:Log|}(CancellationToken ct, IKong kong) => Task.CompletedTask;
        }
        """, """
        [KongPlugin("p")] public partial class P
        {
            public ValueTask Access(IKong kong, CancellationToken cancellationToken) => default;
            public Task Log(IKong kong, CancellationToken ct) => Task.CompletedTask;
        }
        """, HandlerSignatureCodeFixProvider.ParametersKey);

    [Fact]
    public Task KONG0001_SynchronousTaskOfBool_ReturnsTask() => Fix("""
        [KongPlugin("p")] public partial class P
        {
            public Task<bool> {|KONG0001:Access|}(IKong kong) => Task.FromResult(true);

            public Task<bool> {|KONG0001:Log|}(IKong kong)
            {
                if (DateTime.Now.Second > 30)
                {
                    return Task.FromResult(false);
                }

                return Task.FromResult(true);
            }
        }
        """, """
        [KongPlugin("p")] public partial class P
        {
            public Task Access(IKong kong) => Task.FromResult(true);

            public Task Log(IKong kong)
            {
                if (DateTime.Now.Second > 30)
                {
                    return Task.FromResult(false);
                }

                return Task.FromResult(true);
            }
        }
        """, HandlerSignatureCodeFixProvider.ReturnTypeKey);

    [Fact]
    public Task KONG0001_AsyncTaskOfBool_DropsTheValuesButKeepsTheirEffects() => Fix("""
        [KongPlugin("p")] public partial class P
        {
            public async Task<bool> {|KONG0001:Access|}(IKong kong)
            {
                if (await kong.Request.GetHeaderAsync("x-skip") is not null)
                    return false;
                await kong.Response.SetHeaderAsync("x-a", "1");
                return await Check(kong);
            }

            public async Task<bool> {|KONG0001:Log|}(IKong kong) => await Check(kong);

            private static async Task<bool> Check(IKong kong) => await kong.Request.GetHeaderAsync("x-b") is null;
        }
        """, """
        [KongPlugin("p")] public partial class P
        {
            public async ValueTask Access(IKong kong)
            {
                if (await kong.Request.GetHeaderAsync("x-skip") is not null)
                    return;
                await kong.Response.SetHeaderAsync("x-a", "1");
                await Check(kong);
            }

            public async ValueTask Log(IKong kong) => await Check(kong);

            private static async Task<bool> Check(IKong kong) => await kong.Request.GetHeaderAsync("x-b") is null;
        }
        """, HandlerSignatureCodeFixProvider.ReturnTypeKey);

    [Fact]
    public Task KONG0001_SynchronousValueTaskOfT_StillWaitsForTheValue() => Fix("""
        [KongPlugin("p")] public partial class P
        {
            public ValueTask<string> {|KONG0001:Access|}(IKong kong) => kong.Request.GetPathAsync();
        }
        """, """
        [KongPlugin("p")] public partial class P
        {
            public ValueTask Access(IKong kong) => new ValueTask(kong.Request.GetPathAsync().AsTask());
        }
        """, HandlerSignatureCodeFixProvider.ReturnTypeKey);

    [Fact]
    public Task KONG0002_GenericHandler_LosesItsTypeParameters() => Fix("""
        [KongPlugin("p")] public partial class P
        {
            public ValueTask {|KONG0002:Access|}<T>(IKong kong) where T : class => default;
            public ValueTask {|KONG0002:Log|}<T>(IKong kong, CancellationToken ct) => default;
        }
        """, """
        [KongPlugin("p")] public partial class P
        {
            public ValueTask Access(IKong kong, CancellationToken cancellationToken) => default;
            public ValueTask Log(IKong kong, CancellationToken ct) => default;
        }
        """, HandlerSignatureCodeFixProvider.ParametersKey);

    [Fact]
    public Task KONG0001AndKONG0002_OnOneMethod_OneFixRepairsBoth_AndFixAllRepairsEveryMethod() => Fix("""
        [KongPlugin("p")] public partial class P
        {
            public void {|KONG0001:{|KONG0002:Access|}|}(string path)
            {
            }

            public async void {|KONG0003:{|KONG0002:Log|}|}<T>(IKong kong, int retries) => await Task.Yield();

            public void {|KONG0001:Rewrite|}(IKong kong)
            {
            }
        }
        """, """
        [KongPlugin("p")] public partial class P
        {
            public ValueTask Access(IKong kong, CancellationToken cancellationToken)
            {
                return default;
            }

            public async ValueTask Log(IKong kong, CancellationToken cancellationToken) => await Task.Yield();

            public ValueTask Rewrite(IKong kong)
            {
                return default;
            }
        }
        """, HandlerSignatureCodeFixProvider.SignatureKey);
}



public class MakePartialCodeFixTests
{
    private static Task Fix(string source, string fixedSource)
        => Verify.FixAsync<PluginDeclarationAnalyzer, MakePartialCodeFixProvider>(source, fixedSource, equivalenceKey: MakePartialCodeFixProvider.Key);

    [Fact]
    public Task KONG0201_PluginClass_BecomesPartial() => Fix("""
        [KongPlugin("p")]
        public sealed class {|KONG0201:P|}
        {
            public ValueTask Access(IKong kong) => default;
        }
        """, """
        [KongPlugin("p")]
        public sealed partial class P
        {
            public ValueTask Access(IKong kong) => default;
        }
        """);

    [Fact]
    public Task KONG0201_NoModifiers_GetsPartialBeforeClass() => Fix("""
        [KongPlugin("p")] class {|KONG0201:P|} { public ValueTask Access(IKong kong) => default; }
        """, """
        [KongPlugin("p")] partial class P { public ValueTask Access(IKong kong) => default; }
        """);

    [Fact]
    public Task KONG0201_FixAll_FixesEveryPluginAndContainer() => Fix("""
        [KongPlugin("a")] public class {|KONG0201:A|} { public ValueTask Access(IKong kong) => default; }
        [KongPlugin("b")] public class {|KONG0201:B|} { public ValueTask Access(IKong kong) => default; }
        public static class {|KONG0201:Outer|}
        {
            [KongPlugin("c")] public partial class C { public ValueTask Access(IKong kong) => default; }
        }
        """, """
        [KongPlugin("a")] public partial class A { public ValueTask Access(IKong kong) => default; }
        [KongPlugin("b")] public partial class B { public ValueTask Access(IKong kong) => default; }
        public static partial class Outer
        {
            [KongPlugin("c")] public partial class C { public ValueTask Access(IKong kong) => default; }
        }
        """);
}
