using Kong.Pdk.Protocol;
using MessagePack;

namespace Kong.Pdk.Pdk;

/// <summary>
/// Decodes a PDK call's answer, once Kong's step has arrived. A StepError throws <see cref="KongPdkException"/>; a nil
/// result (no <c>Data</c>) never throws: it becomes null or the documented empty value. <see cref="PdkDecoders"/>
/// names one decoder per result kind; the event's pooled sources run them (no async state machine per call).
/// </summary>
internal static class PdkDecode
{
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

    /// <summary>str, <c>true</c> (a query argument without a value: empty string) or nil (null).</summary>
    public static string? ReadQueryArg(in PdkResult result)
    {
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
    public static byte[]? ReadBytesOrNull(in PdkResult result)
    {
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

    /// <summary>An integer (or an integral float); nil gives 0.</summary>
    public static int ReadInt32(in PdkResult result)
    {
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
    public static double ReadDouble(in PdkResult result)
    {
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
    public static bool ReadBoolean(in PdkResult result)
    {
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

    /// <summary>A map of names to a string or a list of strings; nil gives an empty map.</summary>
    public static KongMultiMap ReadMultiMap(in PdkResult result, bool ignoreCase)
    {
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
}
