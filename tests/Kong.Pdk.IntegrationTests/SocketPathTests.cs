using System.Net.Sockets;

namespace Kong.Pdk.IntegrationTests;

/// <summary>
/// Issue 9 item 5: every way the socket path cannot be taken ends the process with exit code 1 and a line that
/// says why (docs/operations.md), never an unhandled exception. The server runs as an unprivileged user: nobody
/// (uid 65534) when the tests run as root, else the current user.
/// </summary>
[Collection("processes")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SocketPathTests
{
    private const UnixFileMode Sticky777 = UnixFileMode.StickyBit
        | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private const UnixFileMode ReadOnly555 = UnixFileMode.UserRead | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private static bool IsRoot => Environment.UserName == "root";

    private static string[] Unprivileged => IsRoot ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];

    [RootFact]
    public async Task StaleSocketOfAnotherUser_InAStickyDirectory_ExitsOne_WithAClearMessage()
    {
        // A file owned by another user can only be made by root; as another user this case cannot be built (skipped).
        using var dir = new TempDir();
        File.SetUnixFileMode(dir.Path, Sticky777);
        MakeStaleSocket(dir.SocketPath);

        await using PluginProcess plugin = PluginProcess.StartUnder(Unprivileged, "-kong-prefix", dir.Path);
        Assert.Equal(1, await plugin.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains($"cannot listen on '{dir.SocketPath}': cannot replace the existing socket", plugin.Stderr);
        Assert.Contains("another user", plugin.Stderr);
        Assert.DoesNotContain("Unhandled exception", plugin.Stderr);
        Assert.Equal([dir.SocketPath], Directory.GetFileSystemEntries(dir.Path)); // the stale socket stays; no temporary name is left
    }

    [Fact]
    public async Task SocketDirectoryNotWritable_WithAStaleSocket_ExitsOne_WithAClearMessage()
    {
        using var dir = new TempDir();
        MakeStaleSocket(dir.SocketPath);
        File.SetUnixFileMode(dir.Path, ReadOnly555);
        try
        {
            await using PluginProcess plugin = PluginProcess.StartUnder(Unprivileged, "-kong-prefix", dir.Path);
            Assert.Equal(1, await plugin.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            Assert.Contains($"cannot listen on '{dir.SocketPath}': cannot bind a temporary socket in its directory", plugin.Stderr);
            Assert.Contains("permission denied", plugin.Stderr);
            Assert.DoesNotContain("Unhandled exception", plugin.Stderr);
            Assert.Equal([dir.SocketPath], Directory.GetFileSystemEntries(dir.Path));
        }
        finally
        {
            File.SetUnixFileMode(dir.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public async Task SocketPathTooLong_ExitsOne_WithAClearMessage()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, new string('s', 120) + ".socket");
        await using PluginProcess plugin = PluginProcess.Start("-socket", path);
        Assert.Equal(1, await plugin.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("cannot start", plugin.Stderr);
        Assert.DoesNotContain("Unhandled exception", plugin.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    /// <summary>What a killed server leaves: a socket file nobody listens on (bound under another name and renamed,
    /// since disposing a bound socket deletes its file).</summary>
    private static void MakeStaleSocket(string path)
    {
        string bound = path + ".b";
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(bound));
            File.Move(bound, path);
        }

        Assert.True(File.Exists(path));
    }
}
