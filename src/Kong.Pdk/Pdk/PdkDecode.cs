using System.Runtime.CompilerServices;
using Kong.Pdk.Protocol;
using MessagePack;

namespace Kong.Pdk.Pdk;

/// <summary>
/// Awaits a call's step and decodes its data. The methods use the pooling builder, so a call that completes
/// asynchronously allocates no state machine in the steady state.
/// </summary>
internal static class PdkDecode
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask IgnoreAsync(ValueTask<PdkResult> pending)
    {
        PdkResult result = await pending.ConfigureAwait(false);
        result.ThrowIfError();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<string?> StringOrNullAsync(ValueTask<PdkResult> pending)
    {
        PdkResult result = await pending.ConfigureAwait(false);
        return ReadStringOrNull(result);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<string> StringAsync(ValueTask<PdkResult> pending)
    {
        PdkResult result = await pending.ConfigureAwait(false);
        return ReadStringOrNull(result) ?? string.Empty;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<KongMultiMap> MultiMapAsync(ValueTask<PdkResult> pending, bool ignoreCase)
    {
        PdkResult result = await pending.ConfigureAwait(false);
        if (result.IsNil) return KongMultiMap.Empty(ignoreCase);
        try
        {
            MessagePackReader reader = result.CreateReader();
            return KongMultiMap.Read(ref reader, ignoreCase);
        }
        catch (MessagePackSerializationException ex)
        {
            throw result.Unexpected(ex);
        }
    }

    public static string? ReadStringOrNull(in PdkResult result)
    {
        if (result.IsNil) return null;
        try
        {
            MessagePackReader reader = result.CreateReader();
            return MsgPackRead.ReadStringLenient(ref reader);
        }
        catch (MessagePackSerializationException ex)
        {
            throw result.Unexpected(ex);
        }
    }
}
