namespace Kong.Pdk.Pdk;

/// <summary>Decodes a PDK call's answer into <typeparamref name="T"/> (see <see cref="PdkDecode"/>).</summary>
internal delegate T PdkRead<out T>(in PdkResult result);

/// <summary>
/// One way of decoding a PDK call's answer, one of <see cref="PdkDecoders"/>: the decode function, and the slot of
/// the event's pooled result source that serves the calls decoded this way (see <c>EventCore.SendCallAsync</c>).
/// </summary>
internal sealed class PdkDecoder<T>
{
    internal PdkDecoder(int slot, PdkRead<T> read)
    {
        Slot = slot;
        Read = read;
    }

    /// <summary>The index of this decoder in <see cref="PdkDecoders"/>, below <see cref="PdkDecoders.Count"/>.</summary>
    public int Slot { get; }

    /// <summary>Decodes the answer, or throws what the call fails with (a StepError, an unexpected value).</summary>
    public PdkRead<T> Read { get; }
}
