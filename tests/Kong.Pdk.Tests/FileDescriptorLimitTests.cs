using Kong.Pdk.Server;

namespace Kong.Pdk.Tests;

/// <summary>Issue 9 item 2: at start the server raises its soft open-file limit to the hard limit (a NativeAOT
/// executable does not get the JIT host's raise).</summary>
public sealed class FileDescriptorLimitTests
{
    [Fact]
    public void RaiseSoftLimit_LiftsASoftLimitBelowTheHardLimit_ToTheHardLimit()
    {
        Assert.True(FileDescriptorLimit.TryGet(out ulong soft, out ulong hard), "RLIMIT_NOFILE is readable on Linux");
        if (hard <= 256) return; // nothing to lower without starving this test process
        try
        {
            // One below the hard limit (and above what this process uses): harmless for tests running in parallel.
            ulong lowered = hard == ulong.MaxValue ? 1_048_576 : hard - 1;
            Assert.True(FileDescriptorLimit.TrySetSoft(lowered));
            Assert.True(FileDescriptorLimit.TryGet(out ulong now, out _));
            Assert.Equal(lowered, now);

            (ulong Soft, ulong Hard)? raised = FileDescriptorLimit.RaiseSoftLimit();
            Assert.Equal((hard, hard), raised);
        }
        finally
        {
            FileDescriptorLimit.TrySetSoft(soft);
        }
    }
}
