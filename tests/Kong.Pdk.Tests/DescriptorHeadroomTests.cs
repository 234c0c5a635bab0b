using Kong.Pdk.Hosting;
using Kong.Pdk.Server;

namespace Kong.Pdk.Tests;

/// <summary>Issue 9 item 2: the accept loop keeps a headroom of descriptors free below the soft open-file limit, so
/// the runtime (a thread that starts, an assembly that loads) never finds none left because of connections; the JIT
/// host aborted ("Out of memory.") when accept had taken the last one.</summary>
public sealed class DescriptorHeadroomTests
{
    [Theory]
    [InlineData(190, 256, 64, true)]   // one more makes 191: 65 free
    [InlineData(191, 256, 64, true)]   // one more makes 192: exactly 64 free
    [InlineData(192, 256, 64, false)]  // one more would leave 63
    [InlineData(255, 256, 64, false)]  // the last descriptor: never accepted into
    [InlineData(255, 256, 0, true)]    // no headroom: the last one is allowed
    [InlineData(256, 256, 0, false)]   // none left at all
    [InlineData(100_000, ulong.MaxValue, 64, true)] // no limit
    public void LeavesHeadroom_IsTrueOnlyWhileOneMoreDescriptorLeavesTheHeadroomFree(long open, ulong soft, int headroom, bool expected)
    {
        Assert.Equal(expected, DescriptorHeadroom.LeavesHeadroom(open, soft, headroom));
    }

    [Fact]
    public void AllowsAccept_CountsTheOpenDescriptorsNearTheLimit_SoDescriptorsTheRuntimeOpenedMeanwhileAreSeen()
    {
        int open = 40; // descriptors besides connections at start
        int counts = 0;
        var headroom = new DescriptorHeadroom(16, () => { counts++; return open; }, () => 200);
        int atStart = counts;

        // Far from the limit: arithmetic only, no count.
        Assert.True(headroom.AllowsAccept(openConnections: 10));
        Assert.Equal(atStart, counts);

        // The runtime opened 100 descriptors (assemblies, threads) the arithmetic cannot know of: near the limit by
        // the estimate (40 + 140 + 1 + 2 * 16 > 200), it counts, and 40 + 100 + 140 connections leave no headroom.
        open = 40 + 100 + 140;
        Assert.False(headroom.AllowsAccept(openConnections: 140));
        Assert.True(counts > atStart);
        Assert.Equal(280, headroom.LastCount);

        // Connections closed: 140 + 42 = 182 open, one more leaves 17 free.
        open = 140 + 42;
        Assert.True(headroom.AllowsAccept(openConnections: 42));
        open = 140 + 43; // one more would leave 16 free: exactly the headroom
        Assert.True(headroom.AllowsAccept(openConnections: 43));
        open = 140 + 44;
        Assert.False(headroom.AllowsAccept(openConnections: 44));
    }

    [Fact]
    public void AllowsAccept_WhenNotEvenTheCountCanOpenADescriptor_Refuses()
    {
        int open = 10;
        var headroom = new DescriptorHeadroom(16, () => open, () => 64);
        open = int.MaxValue; // EMFILE on /proc/self/fd
        Assert.False(headroom.AllowsAccept(openConnections: 30));
    }

    [Fact]
    public void AcceptBackoff_NearTheLimit_StopsAccepting_LogsOnce_AndResumesOnlyWhenTheHeadroomIsFreeAgain()
    {
        if (!OperatingSystem.IsLinux()) return;
        var output = new StringWriter();
        var log = new ServerLog("t", KongLogLevel.Debug, TextWriter.Synchronized(output));
        int open = 50;
        using var backoff = new AcceptBackoff(log, new DescriptorHeadroom(64, () => open, () => 256));

        for (int connections = 0; connections < 141; connections++)
        {
            open = 50 + connections;
            Assert.True(backoff.MayAccept(connections), $"{connections} connections");
        }

        // 50 + 141 = 191 open: one more leaves 64, the headroom; 142 would leave 63.
        open = 50 + 142;
        Assert.False(backoff.MayAccept(142));
        Assert.True(backoff.OutOfDescriptors);
        for (int i = 0; i < 5; i++) Assert.False(backoff.MayAccept(142));
        Assert.False(backoff.HasHeadroom(0)); // nor while the server stops

        log.Flush(TimeSpan.FromSeconds(5));
        string text = output.ToString();
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "out of file descriptors"));
        Assert.Contains("192 of 256 open, 64 kept free for the runtime", text);
        Assert.DoesNotContain("accepting again", text);

        // A descriptor a starting thread held for a moment is closed again: 191 open would allow one more accept,
        // but accepting resumes only with half the headroom more to spare (no stop-resume-stop at the boundary).
        open = 50 + 141;
        Assert.False(backoff.MayAccept(141));
        open = 50 + 112; // one more leaves 93 free: 64 + 32 = 96 needed
        Assert.False(backoff.MayAccept(112));

        open = 50 + 109; // one more leaves 96 free
        Assert.True(backoff.MayAccept(109));
        Assert.False(backoff.OutOfDescriptors);
        log.Flush(TimeSpan.FromSeconds(5));
        Assert.Contains("and 9 attempts: accepting again", output.ToString());
    }
}
