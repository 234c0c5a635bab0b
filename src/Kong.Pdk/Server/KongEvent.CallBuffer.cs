using System.Buffers;
using Kong.Pdk.Protocol;

namespace Kong.Pdk.Server;

/// <summary>
/// The buffer a PDK call is encoded into before it is written to the connection, so that a failure while encoding
/// arguments can never leave half a message on the wire. Its array is rented from the shared pool and returned
/// when the handler ends: no allocation per call.
/// </summary>
internal sealed partial class KongEvent
{
    private PooledBufferWriter? _call;

    private ReadOnlySpan<byte> EncodedCall => _call is null ? default : _call.WrittenSpan;

    private PooledBufferWriter ResetCallBuffer()
    {
        _call ??= new PooledBufferWriter();
        _call.Clear();
        return _call;
    }

    /// <summary>Returns the pooled buffers; called once the handler has ended and the event is finished.</summary>
    private void ReturnBuffers()
    {
        if (_rx.Length > 0) ArrayPool<byte>.Shared.Return(_rx);
        _rx = [];
        _call?.Dispose();
    }
}
