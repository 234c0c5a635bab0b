using Kong.Pdk.Fuzz;

namespace Kong.Pdk.Tests;

/// <summary>
/// Issue 6: a seeded, bounded run of the fuzzer (tests/Kong.Pdk.Fuzz runs it for longer). Truncated, oversized,
/// deeply nested, wrong-typed, random and mutated frames and random interleavings of valid calls: every complete
/// frame is answered or its connection closed within a bound, the registries return to their baseline, nothing is
/// left unobserved, and the server still serves.
/// </summary>
public sealed class FuzzTests
{
    [Theory]
    [InlineData(1, Hosting.KongConnectionMode.Thread)]
    [InlineData(3, Hosting.KongConnectionMode.EventLoop)]
    public async Task Fuzz_SeededInputs_NoHangNoMalformedAnswer_RegistriesBackToBaseline(int seed, Hosting.KongConnectionMode mode)
    {
        FuzzReport report = await new FuzzEngine(seed, mode).RunAsync(inputs: 15_000, duration: TimeSpan.FromSeconds(60), workers: 4);
        Assert.True(report.Passed, report.ToString());
        Assert.True(report.Answers > 5_000, report.ToString());
        Assert.True(report.Closes > 100, report.ToString());
    }
}
