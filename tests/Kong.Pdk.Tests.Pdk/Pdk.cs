namespace Kong.Pdk.Tests.Pdk;

/// <summary>Drives one PDK call through a real server and checks its wire form.</summary>
internal static class Pdk
{
    /// <summary>Runs <paramref name="call"/> in <paramref name="phase"/>; asserts it sends <paramref name="method"/>
    /// with <paramref name="argsHex"/>; answers with <paramref name="resultHex"/> (null: no Data); returns the result.</summary>
    public static async Task<T> CallAsync<T>(Func<IKong, ValueTask<T>> call, string method, string argsHex, string? resultHex,
        KongPhase phase = KongPhase.Access, string step = "plugin.Step")
    {
        T result = default!;
        await using FakeEvent ev = await FakeEvent.StartAsync(phase, async (kong, _) => { result = await call(kong); });
        Assert.Equal(method, ev.Current.Method);
        Assert.Equal(Hex.Clean(argsHex), ev.Current.ArgsHex);
        Answer end = await ev.StepAsync(resultHex, step);
        Exception? failure = await ev.Outcome.WaitAsync(PdkTestServer.Timeout);
        if (failure is not null) throw failure;
        Assert.True(end.IsRet, "expected ret, got " + end);
        return result;
    }

    /// <summary>For calls that return nothing.</summary>
    public static Task CallAsync(Func<IKong, ValueTask> call, string method, string argsHex, KongPhase phase = KongPhase.Access)
        => CallAsync<bool>(async kong => { await call(kong); return true; }, method, argsHex, null, phase);

    /// <summary>Runs a handler whose first call must fail locally (before anything is sent); returns the exception.</summary>
    public static async Task<Exception> FailsLocallyAsync(Func<IKong, ValueTask> call, KongPhase phase = KongPhase.Access)
    {
        await using FakeEvent ev = await FakeEvent.StartAsync(phase, async (kong, _) => await call(kong));
        Exception? failure = await ev.Outcome.WaitAsync(PdkTestServer.Timeout);
        Assert.NotNull(failure);
        return failure;
    }

    /// <summary>The MessagePack str of <paramref name="s"/> (fixstr/str8), as hex.</summary>
    public static string S(string s)
    {
        byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(s);
        string prefix = utf8.Length < 32 ? (0xa0 | utf8.Length).ToString("x2") : "d9" + utf8.Length.ToString("x2");
        return prefix + Convert.ToHexString(utf8).ToLowerInvariant();
    }
}

internal static class Terminal
{
    /// <summary>Runs a handler that ends with a terminal call; <paramref name="calls"/> are the expected
    /// (method, args) in order, the last one terminal (no step follows). Asserts the handler unwound with
    /// <see cref="KongEventEndedException"/>.</summary>
    public static async Task RunAsync(Func<IKong, ValueTask> handler, params (string Method, string Args)[] calls)
    {
        await using FakeEvent ev = await FakeEvent.StartAsync(KongPhase.Access, async (kong, _) => await handler(kong));
        for (int i = 0; i < calls.Length; i++)
        {
            Assert.Equal(calls[i].Method, ev.Current.Method);
            Assert.Equal(Hex.Clean(calls[i].Args), ev.Current.ArgsHex);
            if (i < calls.Length - 1) await ev.StepAsync(null);
        }

        Exception? outcome = await ev.Outcome.WaitAsync(PdkTestServer.Timeout);
        var ended = Assert.IsType<KongEventEndedException>(outcome);
        Assert.Equal(KongEventEndReason.Exited, ended.Reason);
    }
}
