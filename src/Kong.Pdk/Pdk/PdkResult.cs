using MessagePack;
using Kong.Pdk.Protocol;

namespace Kong.Pdk.Pdk;

/// <summary>
/// The answer to one PDK call: Kong's step data, still encoded, in the event's receive buffer. It is valid until
/// the event's next call, so it is decoded before the handler resumes (see <see cref="PdkDecoders"/>).
/// </summary>
internal readonly struct PdkResult
{
    internal PdkResult(ReadOnlyMemory<byte> methodUtf8, PdkResultKind kind, ReadOnlyMemory<byte> data)
    {
        MethodUtf8 = methodUtf8;
        Kind = kind;
        Data = data;
    }

    /// <summary>The PDK function name, for error messages.</summary>
    public ReadOnlyMemory<byte> MethodUtf8 { get; }

    public PdkResultKind Kind { get; }

    public ReadOnlyMemory<byte> Data { get; }

    public bool IsNil => Kind == PdkResultKind.Nil || (Kind == PdkResultKind.Value && Data.Length == 1 && Data.Span[0] == MessagePackCode.Nil);

    public string Method => System.Text.Encoding.UTF8.GetString(MethodUtf8.Span);

    /// <summary>A reader over the value; throws <see cref="KongPdkException"/> for a StepError.</summary>
    public MessagePackReader CreateReader()
    {
        ThrowIfError();
        return new MessagePackReader(Data);
    }

    public void ThrowIfError()
    {
        if (Kind == PdkResultKind.Error)
        {
            var reader = new MessagePackReader(Data);
            string message = "Kong reported an error";
            if (Data.IsEmpty) throw new KongPdkException(Method, message);
            try
            {
                message = MsgPackRead.ReadStringLenient(ref reader) ?? "error";
            }
            catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException)
            {
                message = "Kong reported an error";
            }

            throw new KongPdkException(Method, message);
        }
    }

    /// <summary>Wraps a decoding failure into a <see cref="KongPdkException"/> naming the method.</summary>
    public KongPdkException Unexpected(Exception inner)
        => new(Method, "unexpected result from Kong: " + inner.Message, inner);
}
