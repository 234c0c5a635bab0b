namespace Kong.Pdk.Pdk;

/// <summary>
/// Every result kind of the PDK's calls, each with its decoder (calls answering nothing use
/// <c>KongEvent.SendIgnoredCallAsync</c>). A module passes one to <c>KongEvent.SendCallAsync</c>; the event decodes
/// the answer with it, whether it was already there when the call was sent or arrives later.
/// </summary>
internal static class PdkDecoders
{
    private static int _count; // no initializer: the decoders below are numbered as they are created, in order

    /// <summary>A string; nil gives null.</summary>
    public static readonly PdkDecoder<string?> StringOrNull = Create(PdkDecode.ReadStringOrNull);

    /// <summary>A string; nil gives the empty string (kong.request.get_path and the like).</summary>
    public static readonly PdkDecoder<string> String = Create(static (in PdkResult r) => PdkDecode.ReadStringOrNull(r) ?? string.Empty);

    public static readonly PdkDecoder<string?> QueryArg = Create(PdkDecode.ReadQueryArg);

    public static readonly PdkDecoder<byte[]?> BytesOrNull = Create(PdkDecode.ReadBytesOrNull);

    /// <summary>Raw bytes; nil gives an empty array.</summary>
    public static readonly PdkDecoder<byte[]> Bytes = Create(static (in PdkResult r) => PdkDecode.ReadBytesOrNull(r) ?? []);

    public static readonly PdkDecoder<int> Int32 = Create(PdkDecode.ReadInt32);

    public static readonly PdkDecoder<double> Double = Create(PdkDecode.ReadDouble);

    public static readonly PdkDecoder<bool> Boolean = Create(PdkDecode.ReadBoolean);

    public static readonly PdkDecoder<KongValue> Value = Create(PdkDecode.ReadValue);

    /// <summary>A multi-map with case-sensitive names (query arguments).</summary>
    public static readonly PdkDecoder<KongMultiMap> MultiMap = Create(static (in PdkResult r) => PdkDecode.ReadMultiMap(r, ignoreCase: false));

    /// <summary>A multi-map with case-insensitive names (headers).</summary>
    public static readonly PdkDecoder<KongMultiMap> MultiMapIgnoreCase = Create(static (in PdkResult r) => PdkDecode.ReadMultiMap(r, ignoreCase: true));

    public static readonly PdkDecoder<KongConsumer?> Consumer = Create(static (in PdkResult r) => KongConsumer.From(PdkDecode.ReadValue(r)));

    public static readonly PdkDecoder<KongCredential?> Credential = Create(static (in PdkResult r) => KongCredential.From(PdkDecode.ReadValue(r)));

    public static readonly PdkDecoder<KongRoute?> Route = Create(static (in PdkResult r) => KongRoute.From(PdkDecode.ReadValue(r)));

    public static readonly PdkDecoder<KongServiceEntity?> Service = Create(static (in PdkResult r) => KongServiceEntity.From(PdkDecode.ReadValue(r)));

    public static readonly PdkDecoder<KongMemoryStats> MemoryStats = Create(static (in PdkResult r) => KongMemoryStats.From(PdkDecode.ReadValue(r)));

    public static readonly PdkDecoder<KongUriCaptures> UriCaptures = Create(static (in PdkResult r) => KongUriCaptures.From(PdkDecode.ReadValue(r)));

    /// <summary>kong.log.serialize: a JSON string (kong-protocol.md §4.8); nil gives <c>null</c> JSON text.</summary>
    public static readonly PdkDecoder<KongSerializedLog> SerializedLog = Create(static (in PdkResult r) => new KongSerializedLog(PdkDecode.ReadStringOrNull(r) ?? "null"));

    /// <summary>How many decoders there are: the size of an event's table of result sources.</summary>
    public static int Count => _count;

    private static PdkDecoder<T> Create<T>(PdkRead<T> read) => new(_count++, read);
}
