using System.Runtime.CompilerServices;
using Kong.Pdk.Protocol;
using MessagePack;

namespace Kong.Pdk.Pdk;

/// <summary>
/// Awaits a call's step and decodes its data. The methods use the pooling builder, so a call that completes
/// asynchronously allocates no state machine in the steady state. A nil result (no <c>Data</c>) never throws: it
/// becomes null or the documented empty value.
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

    /// <summary>str, <c>true</c> (a query argument without a value: empty string) or nil (null).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<string?> QueryArgAsync(ValueTask<PdkResult> pending)
    {
        PdkResult result = await pending.ConfigureAwait(false);
        if (result.IsNil) return null;
        try
        {
            MessagePackReader reader = result.CreateReader();
            if (reader.NextMessagePackType == MessagePackType.Boolean) return reader.ReadBoolean() ? string.Empty : null;
            return MsgPackRead.ReadStringLenient(ref reader);
        }
        catch (MessagePackSerializationException ex)
        {
            throw result.Unexpected(ex);
        }
    }

    /// <summary>str or bin as raw bytes; nil gives null.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<byte[]?> BytesOrNullAsync(ValueTask<PdkResult> pending)
    {
        PdkResult result = await pending.ConfigureAwait(false);
        if (result.IsNil) return null;
        try
        {
            MessagePackReader reader = result.CreateReader();
            return MsgPackRead.ReadBytesLenient(ref reader);
        }
        catch (MessagePackSerializationException ex)
        {
            throw result.Unexpected(ex);
        }
    }

    /// <summary>bin (or str) as raw bytes; nil gives an empty array.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<byte[]> BytesAsync(ValueTask<PdkResult> pending)
        => await BytesOrNullAsync(pending).ConfigureAwait(false) ?? [];

    /// <summary>An integer (or an integral float); nil gives 0.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<int> Int32Async(ValueTask<PdkResult> pending)
    {
        PdkResult result = await pending.ConfigureAwait(false);
        if (result.IsNil) return 0;
        try
        {
            MessagePackReader reader = result.CreateReader();
            long value = MsgPackRead.ReadInt64Lenient(ref reader);
            return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw new MessagePackSerializationException("the integer is out of range");
        }
        catch (MessagePackSerializationException ex)
        {
            throw result.Unexpected(ex);
        }
    }

    /// <summary>A number, sent as an integer or a float; nil gives 0.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<double> DoubleAsync(ValueTask<PdkResult> pending)
    {
        PdkResult result = await pending.ConfigureAwait(false);
        if (result.IsNil) return 0;
        try
        {
            MessagePackReader reader = result.CreateReader();
            return MsgPackRead.ReadDoubleLenient(ref reader);
        }
        catch (MessagePackSerializationException ex)
        {
            throw result.Unexpected(ex);
        }
    }

    /// <summary>A boolean; nil (Kong's <c>nil, err</c>) gives false. Any other non-false value is Lua-truthy: true.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<bool> BooleanAsync(ValueTask<PdkResult> pending)
    {
        PdkResult result = await pending.ConfigureAwait(false);
        if (result.IsNil) return false;
        try
        {
            MessagePackReader reader = result.CreateReader();
            if (reader.NextMessagePackType == MessagePackType.Boolean) return reader.ReadBoolean();
            return true;
        }
        catch (MessagePackSerializationException ex)
        {
            throw result.Unexpected(ex);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<KongValue> ValueAsync(ValueTask<PdkResult> pending)
    {
        PdkResult result = await pending.ConfigureAwait(false);
        return ReadValue(result);
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

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<KongConsumer?> ConsumerAsync(ValueTask<PdkResult> pending)
    {
        PdkResult result = await pending.ConfigureAwait(false);
        return KongConsumer.From(ReadValue(result));
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<KongCredential?> CredentialAsync(ValueTask<PdkResult> pending)
    {
        PdkResult result = await pending.ConfigureAwait(false);
        return KongCredential.From(ReadValue(result));
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<KongRoute?> RouteAsync(ValueTask<PdkResult> pending)
    {
        PdkResult result = await pending.ConfigureAwait(false);
        return KongRoute.From(ReadValue(result));
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<KongServiceEntity?> ServiceAsync(ValueTask<PdkResult> pending)
    {
        PdkResult result = await pending.ConfigureAwait(false);
        return KongServiceEntity.From(ReadValue(result));
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<KongMemoryStats> MemoryStatsAsync(ValueTask<PdkResult> pending)
    {
        PdkResult result = await pending.ConfigureAwait(false);
        return KongMemoryStats.From(ReadValue(result));
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<KongUriCaptures> UriCapturesAsync(ValueTask<PdkResult> pending)
    {
        PdkResult result = await pending.ConfigureAwait(false);
        return KongUriCaptures.From(ReadValue(result));
    }

    /// <summary>kong.log.serialize: a JSON string (kong-protocol.md §4.8); nil gives <c>null</c> JSON text.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<KongSerializedLog> SerializedLogAsync(ValueTask<PdkResult> pending)
    {
        PdkResult result = await pending.ConfigureAwait(false);
        return new KongSerializedLog(ReadStringOrNull(result) ?? "null");
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

    public static KongValue ReadValue(in PdkResult result)
    {
        if (result.IsNil) return KongValue.Nil;
        try
        {
            MessagePackReader reader = result.CreateReader();
            return KongValue.Read(ref reader);
        }
        catch (MessagePackSerializationException ex)
        {
            throw result.Unexpected(ex);
        }
    }
}
