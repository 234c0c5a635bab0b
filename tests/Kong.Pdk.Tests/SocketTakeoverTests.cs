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

    /// <summary>Review D8: a temporary socket that a crashed server left between bind and rename is removed by the
    /// next server; one of a live process is not.</summary>
    [Fact]
    public void Bind_RemovesTemporarySocketsOfDeadProcesses_KeepsThoseOfLiveOnes()
    {
        if (!OperatingSystem.IsLinux()) return;
        string directory = Directory.CreateTempSubdirectory("kp-tmp").FullName;
        try
        {
            string dead = Path.Combine(directory, ".2147483646.1.kps"); // above any pid_max
            string live = Path.Combine(directory, ".1.1.kps");          // init is alive
            MakeStaleSocket(dead);
            MakeStaleSocket(live);
            PluginServer server = NewServer();
            using (server.Bind(Path.Combine(directory, "p.socket")))
            {
                Assert.False(File.Exists(dead));
                Assert.True(File.Exists(live));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Review D8: a directory so long that the final path fits sun_path but the temporary one does not gives
    /// a clear error.</summary>
    [Fact]
    public void Bind_TemporaryNameTooLong_ClearError()
    {
        string root = Directory.CreateTempSubdirectory("kp-long").FullName;
        try
        {
            string directory = Path.Combine(root, new string('d', 104 - root.Length - 1));
            Directory.CreateDirectory(directory);
            string path = Path.Combine(directory, "s"); // 106 bytes: fits
            var ex = Assert.Throws<KongServerStartException>(() => NewServer().Bind(path));
            Assert.Contains("is too long", ex.Message);
            Assert.Contains("use a shorter socket directory", ex.Message);
            Assert.Empty(Directory.GetFileSystemEntries(directory));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void MakeStaleSocket(string path)
    {
        string bound = path + ".b";
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(bound));
            File.Move(bound, path);
        }
    }

    private static PluginServer NewServer()
        => new([new TestPlugin()], new KongServerOptions(), new ServerLog("test-plugin", KongLogLevel.Debug, TextWriter.Null));
}
