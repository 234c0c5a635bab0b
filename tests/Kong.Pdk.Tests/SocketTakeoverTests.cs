using System.Net.Sockets;
using Kong.Pdk.Hosting;
using Kong.Pdk.Server;

namespace Kong.Pdk.Tests;

/// <summary>
/// Issue 9 item 1 (review D1): a stopping server removes the socket path only while it is its own, and a newer
/// server's rename cannot fall between that check and the delete.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SocketTakeoverTests
{
    [Fact]
    public async Task NewServersRename_RacingTheOldServersCheckAndDelete_KeepsTheNewSocket()
    {
        string directory = Path.Combine(Path.GetTempPath(), "kp-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        try
        {
            string path = Path.Combine(directory, "p.socket");
            PluginServer warm = NewServer(); // compiled before the race, so that an unlocked rename lands in its window
            using (warm.Bind(Path.Combine(directory, "w.socket"))) warm.TryUnlink(Path.Combine(directory, "w.socket"));
            PluginServer old = NewServer();
            PluginServer next = NewServer();
            using Socket oldListener = old.Bind(path);
            Socket? nextListener = null;
            Task? racing = null;

            // The new server binds while the old one has checked the path (still its own) and not yet deleted it.
            old.BetweenCheckAndUnlink = () =>
            {
                var bound = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                racing = bound.Task;
                var thread = new Thread(() =>
                {
                    try
                    {
                        nextListener = next.Bind(path);
                        bound.SetResult();
                    }
                    catch (Exception ex)
                    {
                        bound.SetException(ex);
                    }
                });
                thread.Start();
                thread.Join(TimeSpan.FromMilliseconds(500)); // without the lock, the rename lands here
            };
            old.TryUnlink(path);
            Assert.NotNull(racing);
            await racing!.WaitAsync(TimeSpan.FromSeconds(10));

            using Socket listener = nextListener!;
            Assert.Equal(next.SocketIdentity, SocketFile.GetIdentity(path));
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await client.ConnectAsync(new UnixDomainSocketEndPoint(path)).WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void DirectoryLock_IsExclusive_AndReleasedOnDispose()
    {
        if (!OperatingSystem.IsLinux()) return;
        string directory = Directory.CreateTempSubdirectory("kp-lock").FullName;
        Assert.Equal(SocketDirectoryLock.Result.Acquired, SocketDirectoryLock.TryAcquire(directory, TimeSpan.Zero, out SocketDirectoryLock? first));
        using (first)
        {
            Assert.Equal(SocketDirectoryLock.Result.TimedOut, SocketDirectoryLock.TryAcquire(directory, TimeSpan.FromMilliseconds(20), out _));
        }

        Assert.Equal(SocketDirectoryLock.Result.Acquired, SocketDirectoryLock.TryAcquire(directory, TimeSpan.Zero, out SocketDirectoryLock? again));
        again!.Dispose();
        Directory.Delete(directory);
    }

    private static PluginServer NewServer()
        => new([new TestPlugin()], new KongServerOptions(), new ServerLog("test-plugin", KongLogLevel.Debug, TextWriter.Null));
}
