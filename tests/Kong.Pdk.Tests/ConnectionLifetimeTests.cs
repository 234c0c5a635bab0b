using System.Net.Sockets;
using Kong.Pdk.TestSupport;

namespace Kong.Pdk.Tests;

/// <summary>Issue 9: every connection ends deterministically (its socket closed at once, without a GC), idle and
/// half-sent connections are reaped, and a handler that blocks its thread does not kill its connection.</summary>
public abstract class ConnectionLifetimeTests
{
    /// <summary>Every test runs once per connection mode (see the derived classes at the end of the file).</summary>
    protected abstract Hosting.KongConnectionMode Mode { get; }

    private InProcessServer Start(Hosting.KongPluginDescriptor plugin, Action<Hosting.KongServerOptions>? configure = null)
        => InProcessServer.Start(plugin, options => { options.ConnectionMode = Mode; configure?.Invoke(options); });

    private static TestPlugin Echo() => new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
    {
        string? host = await kong.Request.GetHeaderAsync("host", ct);
        await kong.Response.SetHeaderAsync("x-echo", host ?? "", ct);
    });

    /// <summary>Item 3: clients that send requests and leave while the server writes the answers.</summary>
    [Fact]
    public async Task ClientsThatLeaveWhileTheServerWrites_EveryServerSocketIsClosed_WithoutAGc()
    {
        await using InProcessServer server = Start(Echo());
        await using (KongConnection kong = await server.ConnectAsync())
        {
            await server.StartInstanceAsync(kong, "my-plugin");
        }

        // Many requests in one write, then close: the answers go to a peer that is gone.
        byte[] burst = Enumerable.Range(1, 200).SelectMany(i => Mp.Encode(new object?[] { 0L, (long)i, "plugin.InstanceStatus", new object?[] { 7L } })).ToArray();
        bool noGc = System.Runtime.GCSettings.LatencyMode != System.Runtime.GCLatencyMode.NoGCRegion && GC.TryStartNoGCRegion(200_000_000);
        try
        {
            for (int round = 0; round < 20; round++)
            {
                await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
                {
                    using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(server.SocketPath));
                    await socket.SendAsync(burst, SocketFlags.None);
                    socket.LingerState = new LingerOption(true, 0);
                }));
            }

            // Connections still queued on the listener show up too until accepted, so wait for the count to settle;
            // a socket left to a finalizer stays open for good (no GC runs in this region).
            await ProtocolConformanceTests.Eventually(() => server.Server.ConnectionCount == 0 && OpenServerSockets(server) == 1, "every server socket closed but the listener", 30_000);
        }
        finally
        {
            if (noGc && System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        }
    }

    /// <summary>Item 8: a connection with nothing in progress is closed after the idle timeout; one in use is not.</summary>
    [Fact]
    public async Task IdleConnection_IsClosedAfterTheIdleTimeout_AnActiveOneIsNot()
    {
        await using InProcessServer server = Start(Echo(), o => o.ConnectionIdleTimeout = TimeSpan.FromMilliseconds(3000));
        await using KongConnection idle = await server.ConnectAsync();
        await server.StartInstanceAsync(idle, "my-plugin");

        await using KongConnection silent = await server.ConnectAsync(); // never sends anything
        await using KongConnection active = await server.ConnectAsync();

        // Requests every 50 ms for well past the timeout keep a connection open (the timeout is long enough for a
        // loaded machine: the test client and the server share this process).
        long until = Environment.TickCount64 + 4500;
        while (Environment.TickCount64 < until)
        {
            Assert.Equal(7L, (await active.CallAsync(server.NextMsgId(), "plugin.InstanceStatus", 7L)).Map["Id"]);
            await Task.Delay(50);
        }

        Assert.True(await idle.IsClosedByServerAsync(TimeSpan.FromSeconds(10)));
        Assert.True(await silent.IsClosedByServerAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(7L, (await active.CallAsync(server.NextMsgId(), "plugin.InstanceStatus", 7L)).Map["Id"]);
        Assert.Contains("idle for more than 3000 ms", server.Log);
    }

    /// <summary>Item 8: a message that trickles in (slowloris) is cut after the partial-message timeout, even though
    /// bytes keep arriving.</summary>
    [Fact]
    public async Task MessageThatTricklesIn_ConnectionIsClosedAfterThePartialMessageTimeout()
    {
        await using InProcessServer server = Start(Echo(), o => o.PartialMessageTimeout = TimeSpan.FromMilliseconds(400));
        await using KongConnection slow = await server.ConnectAsync();
        byte[] request = Mp.Encode(new object?[] { 0L, 1L, "plugin.StartInstance", new object?[] { Mp.Map("Name", "my-plugin", "Config", new string('x', 200)) } });
        Task<bool> closed = slow.IsClosedByServerAsync(TimeSpan.FromSeconds(10));
        for (int i = 0; i < request.Length - 1 && !closed.IsCompleted; i++)
        {
            try
            {
                await slow.SendAsync([request[i]]);
            }
            catch (SocketException)
            {
                break; // closed by the server
            }

            await Task.Delay(25);
        }

        Assert.True(await closed);
        Assert.Contains("a message took more than 400 ms to arrive", server.Log);

        // A whole message sent at once is not affected.
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin");
    }

    /// <summary>Server-side sockets still open on the server's socket (the listener included), from
    /// /proc/net/unix: an accepted socket carries the listener's address until it is closed.</summary>
    internal static int OpenServerSockets(InProcessServer server)
    {
        string directory = Path.GetDirectoryName(server.SocketPath)!;
        return File.ReadLines("/proc/net/unix").Count(line => line.Contains(directory + "/", StringComparison.Ordinal));
    }
}

[Collection("connection lifetime")] // not in parallel with each other: one NoGC region at a time
public sealed class ConnectionLifetimeTests_Thread : ConnectionLifetimeTests
{
    protected override Hosting.KongConnectionMode Mode => Hosting.KongConnectionMode.Thread;
}

[Collection("connection lifetime")]
public sealed class ConnectionLifetimeTests_EventLoop : ConnectionLifetimeTests
{
    protected override Hosting.KongConnectionMode Mode => Hosting.KongConnectionMode.EventLoop;
}
