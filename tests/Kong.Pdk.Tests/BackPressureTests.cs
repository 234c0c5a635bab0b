using System.IO.Pipes;
using System.Net.Sockets;
using System.Text;
using Kong.Pdk.TestSupport;

namespace Kong.Pdk.Tests;

/// <summary>Issue 9: a peer that stops reading, or a stalled log reader, holds up only itself.</summary>
public abstract class BackPressureTests
{
    /// <summary>Every test runs once per connection mode (see the derived classes at the end of the file).</summary>
    protected abstract Hosting.KongConnectionMode Mode { get; }

    private InProcessServer Start(Hosting.KongPluginDescriptor plugin, Action<Hosting.KongServerOptions>? configure = null, TextWriter? logOutput = null)
        => InProcessServer.Start(plugin, options => { options.ConnectionMode = Mode; configure?.Invoke(options); }, logOutput);

    [Fact]
    public async Task StalledStderrPipe_RequestsStillComplete_AndTheLinesFollowOnceItIsRead()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using var reader = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle);
        var stderr = new StreamWriter(pipe, new UTF8Encoding(false)) { AutoFlush = true };

        // Fill the pipe as a reader that stopped reading leaves it: the last write blocks.
        long written = 0;
        bool filling = true;
        Task filler = Task.Factory.StartNew(() =>
        {
            byte[] chunk = new byte[1024];
            chunk.AsSpan().Fill((byte)'.');
            chunk[^1] = (byte)'\n';
            while (Volatile.Read(ref filling))
            {
                pipe.Write(chunk);
                Interlocked.Add(ref written, chunk.Length);
            }
        }, TaskCreationOptions.LongRunning);
        long seen = -1;
        while (Interlocked.Read(ref written) != seen)
        {
            seen = Interlocked.Read(ref written);
            await Task.Delay(300);
        }

        Task<string> drained = Task.FromResult("");
        try
        {
            await using InProcessServer server = Start(Echo(), logOutput: stderr);
            await using KongConnection kong = await server.ConnectAsync();
            Assert.Equal(7L, await server.StartInstanceAsync(kong, "my-plugin"));
            for (int i = 0; i < 20; i++)
            {
                RpcAnswer call = await server.HandleEventAsync(kong, 7, "access");
                await server.StepAsync(kong, call.EventId, "h");
                Assert.Equal("ret", (await server.StepAsync(kong, call.EventId, null, hasData: false)).Data);
                await kong.CallAsync(server.NextMsgId(), "plugin.InstanceStatus", 12345L); // an error answer: a debug line
            }

            // Kong reads its end again: the queued lines come out.
            Volatile.Write(ref filling, false);
            drained = Task.Run(() => new StreamReader(reader, Encoding.UTF8).ReadToEnd());
            server.Server.Log.Flush(TimeSpan.FromSeconds(10));
        }
        finally
        {
            Volatile.Write(ref filling, false);
            if (drained.IsCompleted) _ = Task.Run(() => reader.CopyTo(Stream.Null));
            await filler.WaitAsync(TimeSpan.FromSeconds(10));
            stderr.Dispose();
        }

        string output = await drained.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("instance 7 of my-plugin started", output);
    }

    private static TestPlugin Echo() => new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
    {
        string? host = await kong.Request.GetHeaderAsync("host", ct);
        await kong.Response.SetHeaderAsync("x-echo", host ?? "", ct);
    });

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

    [Fact]
    public async Task CancellationCallbackThatBlocks_DoesNotStopTheSweep()
    {
        using var gate = new ManualResetEventSlim();
        var release = new TaskCompletionSource();
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
        {
            string? mode = await kong.Request.GetHeaderAsync("h", ct);
            if (mode == "block") ct.Register(() => gate.Wait()); // user code the server cannot trust to return
            await release.Task; // ignores its token: runs past the deadline
        });
        await using InProcessServer server = Start(plugin, o => o.HandlerDeadline = TimeSpan.FromMilliseconds(300));
        try
        {
            await using KongConnection kong = await server.ConnectAsync();
            await server.StartInstanceAsync(kong, "my-plugin");
            RpcAnswer first = await server.HandleEventAsync(kong, 7, "access");
            Assert.Equal("kong.response.error", (await server.StepAsync(kong, first.EventId, "block")).CallMethod);

            RpcAnswer second = await server.HandleEventAsync(kong, 7, "access");
            RpcAnswer error = await server.StepAsync(kong, second.EventId, "other");
            Assert.Equal("kong.response.error", error.CallMethod);
        }
        finally
        {
            gate.Set();
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

public sealed class BackPressureTests_EventLoop : BackPressureTests
{
    protected override Hosting.KongConnectionMode Mode => Hosting.KongConnectionMode.EventLoop;
}
