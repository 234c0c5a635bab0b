using System.Reflection;
using System.Text;
using Kong.Pdk.Pdk;
using static Kong.Pdk.Tests.Pdk.PdkSurface;

namespace Kong.Pdk.Tests.Pdk;

/// <summary>
/// <see cref="KongPhasesAttribute"/> is what the KONG0301 analyzer reads, so it must say exactly what the runtime
/// enforces. Every public PDK method is driven through the fake Kong in each of the six phases: in a phase its
/// <c>BeginCall</c> allows, a call reaches the wire; in any other it fails locally with the wrong-phase
/// <see cref="KongPdkException"/>. The observed set must equal the attribute (kong-protocol.md §6.4).
/// </summary>
public sealed class PhasesAttributeTests
{
    private static readonly KongPhase[] AllPhases =
        [KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log];

    [Fact]
    public void PdkMethods_AreAllFound()
    {
        MethodInfo[] methods = PdkMethods().ToArray();
        Assert.True(methods.Length > 100, "found only " + methods.Length + " PDK methods");
        Assert.Contains(methods, m => m.DeclaringType == typeof(KongRequest) && m.Name == nameof(KongRequest.GetPathAsync));
        Assert.Contains(methods, m => m.DeclaringType == typeof(KongServiceResponse) && m.Name == nameof(KongServiceResponse.GetRawBodyAsync));
        Assert.Contains(methods, m => m.DeclaringType == typeof(KongClientTls));
        Assert.Contains(methods, m => m.DeclaringType == typeof(KongCtxShared));
    }

    [Fact]
    public async Task EveryPdkMethod_PhasesAttribute_MatchesWhatTheRuntimeEnforces()
    {
        var problems = new StringBuilder();
        int checkedMethods = 0;
        foreach (MethodInfo method in PdkMethods())
        {
            string name = Describe(method);
            KongPhase[]? declared = method.GetCustomAttribute<KongPhasesAttribute>()?.Phases.ToArray();
            var observed = new List<KongPhase>();
            KongPhase[] phases = AllPhases;
            string?[] outcomes = await Task.WhenAll(phases.Select(phase => RunAsync(method, phase)));
            for (int i = 0; i < phases.Length; i++)
            {
                if (outcomes[i] == "sent") observed.Add(phases[i]);
                else if (outcomes[i] != "rejected") problems.AppendLine($"{name} in {phases[i]}: {outcomes[i]}");
            }

            if (declared is null)
            {
                problems.AppendLine($"{name}: no [KongPhases]; runtime allows {string.Join(", ", observed)}");
            }
            else if (!declared.SequenceEqual(observed))
            {
                problems.AppendLine($"{name}: [KongPhases({string.Join(", ", declared)})] but runtime allows {string.Join(", ", observed)}");
            }

            checkedMethods++;
        }

        Assert.True(problems.Length == 0, $"{checkedMethods} methods checked:\n{problems}");
    }

    /// <summary>Runs <paramref name="method"/> in <paramref name="phase"/>: "sent" when its call reached the wire,
    /// "rejected" when it failed locally with the wrong-phase exception, otherwise a description of what happened.</summary>
    private static async Task<string> RunAsync(MethodInfo method, KongPhase phase)
    {
        bool wrongPhase = false;
        Exception? other = null;
        await using FakeEvent ev = await FakeEvent.StartAsync(phase, async (kong, _) =>
        {
            try
            {
                await InvokeAsync(method, Module(kong, method.DeclaringType!));
            }
            catch (KongPdkException ex) when (ex.Message.Contains($"cannot be called in the {phase.ToWireName()} phase", StringComparison.Ordinal))
            {
                wrongPhase = true;
            }
            catch (Exception ex)
            {
                // After a call was sent, a nil step may not decode (or a terminal call ends the event): not our concern.
                other = ex;
            }
        });

        Answer answer = ev.Current;
        if (answer.Error is not null) return "RPC error " + answer.Error;
        if (answer.Method is null)
        {
            await ev.Outcome.WaitAsync(PdkTestServer.Timeout);
            return wrongPhase ? "rejected" : "neither sent a call nor was rejected: " + (other?.ToString() ?? "no exception");
        }

        // Allowed: answer every call with nil until the handler returns; Kong never answers a terminal call.
        for (int steps = 0; answer.Method is not null and not ("kong.response.exit" or "kong.response.error") && steps < 5; steps++)
        {
            answer = await ev.StepAsync(null);
        }

        await ev.Outcome.WaitAsync(PdkTestServer.Timeout);
        return "sent";
    }
}
