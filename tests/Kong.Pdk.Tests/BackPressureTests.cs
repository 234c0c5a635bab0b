using System.Net.Sockets;
using Kong.Pdk.TestSupport;

namespace Kong.Pdk.Tests;

/// <summary>Issue 9: a peer that stops reading, or a stalled log reader, holds up only itself.</summary>
public abstract class BackPressureTests
{
    /// <summary>Every test runs once per connection mode (see the derived classes at the end of the file).</summary>
    protected abstract Hosting.KongConnectionMode Mode { get; }

    private InProcessServer Start(Hosting.KongPluginDescriptor plugin, Action<Hosting.KongServerOptions>? configure = null)
        => InProcessServer.Start(plugin, options => { options.ConnectionMode = Mode; configure?.Invoke(options); });

    [Fact]
    public async Task ClientThatNeverReads_ItsDeadlineAnswerDoesNotStopTheSweep_ForOtherConnections()
    {
        var release = new TaskCompletionSource();
        var reached = new SemaphoreSlim(0);
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
        {
            await kong.Request.GetHeaderAsync("h", ct);
            reached.Release();
            await release.Task; // ignores its token: runs past the deadline
        });
        await using InProcessServer server = Start(plugin, o => o.HandlerDeadline = TimeSpan.FromMilliseconds(300));
        try
        {
            await using KongConnection kong = await server.ConnectAsync();
            await server.StartInstanceAsync(kong, "my-plugin");
            RpcAnswer stuck = await server.HandleEventAsync(kong, 7, "access");

            // The stuck event's step arrives on a connection whose peer then stops reading: its send buffer is full
            // when the deadline's kong.response.error(500) is written.
            await using KongConnection stalled = await server.ConnectAsync();
            await stalled.SendAsync(Mp.Encode(new object?[] { 0L, 1000L, "plugin.Step", new object?[] { Mp.Map("EventId", stuck.EventId, "Data", "v") } }));
            Assert.True(await reached.WaitAsync(TimeSpan.FromSeconds(10)), "the handler resumed");
            FillSendBuffer(server.Server.Connections.MaxBy(c => c.Number)!.Socket);
            await ProtocolConformanceTests.Eventually(() => server.Server.Events.Count == 0, "the stuck event passed its deadline");

            // Another event's deadline, on a connection that reads, is still enforced by the sweep.
            RpcAnswer other = await server.HandleEventAsync(kong, 7, "access");
            RpcAnswer error = await server.StepAsync(kong, other.EventId, "v");
            Assert.Equal("kong.response.error", error.CallMethod);
            Assert.Equal(500L, error.CallArgs[0]);
        }
        finally
        {
            release.TrySetResult();
        }
    }

    /// <summary>Fills the server side's send buffer, as a peer that stopped reading leaves it.</summary>
    private static void FillSendBuffer(Socket socket)
    {
        byte[] junk = new byte[4096];
        socket.Blocking = false;
        try
        {
            while (true)
            {
                socket.Send(junk, 0, junk.Length, SocketFlags.None, out SocketError error);
                if (error == SocketError.WouldBlock) return;
                Assert.Equal(SocketError.Success, error);
            }
        }
        finally
        {
            socket.Blocking = true;
        }
    }
}

public sealed class BackPressureTests_Thread : BackPressureTests
{
    protected override Hosting.KongConnectionMode Mode => Hosting.KongConnectionMode.Thread;
}

public sealed class BackPressureTests_Async : BackPressureTests
{
    protected override Hosting.KongConnectionMode Mode => Hosting.KongConnectionMode.Async;
}
