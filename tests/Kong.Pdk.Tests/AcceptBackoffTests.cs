using System.Net.Sockets;
using Kong.Pdk.Hosting;
using Kong.Pdk.Server;
using Microsoft.Win32.SafeHandles;

namespace Kong.Pdk.Tests;

/// <summary>Issue 9 item 2 (review D4): out of descriptors, the accept loop's pause grows while none are free, and
/// recovery (and its log line) comes only once the reserve and one descriptor more can be opened.</summary>
public sealed class AcceptBackoffTests
{
    [Fact]
    public void OutOfDescriptors_PauseDoubles_UntilDescriptorsAreFree_ThenRecoveryIsLogged()
    {
        if (!OperatingSystem.IsLinux()) return;
        var output = new StringWriter();
        var log = new ServerLog("t", KongLogLevel.Debug, TextWriter.Synchronized(output));
        using var backoff = new AcceptBackoff(log);
        int free = 0;
        backoff.OpenDescriptor = () =>
        {
            if (Interlocked.Decrement(ref free) < 0) throw new IOException("Too many open files");
            return File.OpenHandle("/dev/null", FileMode.Open, FileAccess.Read);
        };

        // accept fails with EMFILE: the reserve is given back (these are the only descriptors free now).
        var pauses = new List<double> { backoff.Failed(new SocketException((int)SocketError.TooManyOpenSockets), 5).TotalMilliseconds };
        for (int i = 0; i < 9; i++)
        {
            free = AcceptBackoff.ReserveSize; // the reserve's own descriptors, but not one more
            Assert.True(backoff.OutOfDescriptors);
            Assert.False(backoff.TryRecover(5));
            pauses.Add(backoff.NextPause().TotalMilliseconds);
        }

        Assert.Equal([10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000], pauses);
        log.Flush(TimeSpan.FromSeconds(5));
        Assert.DoesNotContain("accepting again", output.ToString());

        free = AcceptBackoff.ReserveSize + 1;
        Assert.True(backoff.TryRecover(5));
        Assert.False(backoff.OutOfDescriptors);
        log.Flush(TimeSpan.FromSeconds(5));
        Assert.Contains("and 11 attempts: accepting again", output.ToString());
        Assert.Equal(1000, backoff.NextPause().TotalMilliseconds); // only an accept that succeeds resets the pause
        backoff.Succeeded();
        Assert.Equal(10, backoff.NextPause().TotalMilliseconds);
    }
}
