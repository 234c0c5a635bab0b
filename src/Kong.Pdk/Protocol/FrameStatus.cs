namespace Kong.Pdk.Protocol;

/// <summary>The outcome of looking for one complete MessagePack message at the start of a buffer.</summary>
internal enum FrameStatus
{
    /// <summary>A whole message is present; its length is reported.</summary>
    Complete,

    /// <summary>The bytes so far are a valid prefix; read more.</summary>
    NeedMoreData,

    /// <summary>The message is (or declares itself) larger than the configured maximum.</summary>
    TooLarge,

    /// <summary>Arrays or maps are nested deeper than the configured maximum.</summary>
    TooDeep,

    /// <summary>The bytes cannot start a MessagePack value (type byte <c>0xC1</c>).</summary>
    Malformed,
}
