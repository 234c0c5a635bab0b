using System.Reflection;
using System.Text;
using Kong.Pdk.Pdk;

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

    /// <summary>Every public instance method of the public PDK module types (kong.request, kong.service.request, …).</summary>
    private static IEnumerable<MethodInfo> PdkMethods() => ModuleTypes
        .Where(t => t.IsPublic)
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName)
            .OrderBy(m => m.MetadataToken));

    /// <summary>The module types: every class of the runtime reachable through properties from <see cref="IKong"/>.</summary>
    private static readonly HashSet<Type> ModuleTypes = FindModuleTypes();

    private static HashSet<Type> FindModuleTypes()
    {
        var found = new HashSet<Type>();
        var pending = new Queue<Type>([typeof(IKong)]);
        while (pending.Count > 0)
        {
            foreach (PropertyInfo property in pending.Dequeue().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                Type type = property.PropertyType;
                if (type.IsClass && type.Assembly == typeof(IKong).Assembly && found.Add(type)) pending.Enqueue(type);
            }
        }

        return found;
    }

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
                await InvokeAsync(method, kong);
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

    private static async Task InvokeAsync(MethodInfo method, IKong kong)
    {
        object module = Module(kong, method.DeclaringType!);
        object?[] args = method.GetParameters().Select(Sample).ToArray();
        object? result;
        try
        {
            result = method.Invoke(module, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }

        switch (result)
        {
            case ValueTask task:
                await task;
                break;
            case not null when result.GetType().IsGenericType && result.GetType().GetGenericTypeDefinition() == typeof(ValueTask<>):
                await (Task)result.GetType().GetMethod(nameof(ValueTask<int>.AsTask))!.Invoke(result, null)!;
                break;
            default:
                throw new InvalidOperationException($"{Describe(method)} returns {method.ReturnType}, not a ValueTask");
        }
    }

    /// <summary>The module object of <paramref name="type"/> reachable from <paramref name="kong"/>
    /// (<c>kong.Request</c>, <c>kong.Client.Tls</c>, <c>kong.Service.Response</c>, …).</summary>
    private static object Module(IKong kong, Type type)
    {
        var pending = new Queue<object>([kong]);
        while (pending.Count > 0)
        {
            object current = pending.Dequeue();
            IEnumerable<PropertyInfo> properties = current is IKong
                ? typeof(IKong).GetProperties()
                : current.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance);
            foreach (PropertyInfo property in properties)
            {
                if (!ModuleTypes.Contains(property.PropertyType) || property.GetIndexParameters().Length > 0) continue;
                object value = property.GetValue(current)!;
                if (property.PropertyType == type) return value;
                pending.Enqueue(value);
            }
        }

        throw new InvalidOperationException("no IKong property leads to " + type);
    }

    /// <summary>An argument that passes the method's own validation, so that only the phase decides.</summary>
    private static object? Sample(ParameterInfo parameter)
    {
        Type type = parameter.ParameterType;
        if (type == typeof(CancellationToken)) return CancellationToken.None;
        if (parameter.IsOptional) return parameter.DefaultValue;
        Type? nullable = Nullable.GetUnderlyingType(type);
        if (nullable is not null) type = nullable;
        bool status = parameter.Name == "status";
        if (type == typeof(string)) return "x";
        if (type == typeof(int)) return status ? 200 : 1;
        if (type == typeof(long)) return 1L;
        if (type == typeof(double)) return 1.5;
        if (type == typeof(bool)) return true;
        if (type == typeof(ReadOnlyMemory<byte>)) return new ReadOnlyMemory<byte>([1, 2]);
        if (type == typeof(IReadOnlyList<string>)) return new[] { "v" };
        if (type == typeof(IReadOnlyDictionary<string, string>)) return new Dictionary<string, string> { ["k"] = "v" };
        if (type == typeof(IReadOnlyDictionary<string, IReadOnlyList<string>>)) return new Dictionary<string, IReadOnlyList<string>> { ["k"] = ["v"] };
        if (type == typeof(KongValue)) return KongValue.List(KongValue.From("v"));
        if (type == typeof(KongConsumer)) return new KongConsumer { Raw = KongValue.Map([new KeyValuePair<string, string>("id", "c")]) };
        if (type == typeof(KongCredential)) return new KongCredential { Raw = KongValue.Map([new KeyValuePair<string, string>("id", "k")]) };
        throw new InvalidOperationException($"no sample argument for {parameter.Member.DeclaringType!.Name}.{parameter.Member.Name}({type} {parameter.Name}); add one here");
    }

    private static string Describe(MethodInfo method)
        => $"{method.DeclaringType!.Name}.{method.Name}({string.Join(", ", method.GetParameters().Select(p => p.ParameterType.Name))})";
}
