using System.Buffers;
using System.Buffers.Binary;

namespace Kong.Pdk.Protocol;

/// <summary>
/// Finds the end of one MessagePack value in a buffer without decoding it. MsgPack:1 has no length prefix: a
/// message is exactly one value (an array), and its end is found by walking the structure. The walk never
/// throws on partial input: it keeps a count of values still owed per nesting level, jumps over the payload of
/// str/bin/ext, and reports <see cref="FrameStatus.NeedMoreData"/> when the bytes run out.
/// </summary>
internal static class RpcFramer
{
    /// <summary>The deepest nesting the framer can be configured for.</summary>
    public const int MaxSupportedDepth = 256;

    /// <summary>Looks for one complete value at the start of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">Bytes received so far.</param>
    /// <param name="maxMessageSize">Largest accepted message, in bytes.</param>
    /// <param name="maxDepth">Deepest accepted nesting of arrays and maps (the top-level array is depth 1).</param>
    /// <param name="length">The message length when <see cref="FrameStatus.Complete"/> is returned.</param>
    public static FrameStatus TryFindMessage(in ReadOnlySequence<byte> buffer, long maxMessageSize, int maxDepth, out long length)
    {
        length = 0;
        if (maxDepth > MaxSupportedDepth) maxDepth = MaxSupportedDepth;
        Span<uint> owed = stackalloc uint[maxDepth + 1];
        var reader = new SequenceReader<byte>(buffer);
        int depth = 0;
        owed[0] = 1;

        while (true)
        {
            while (owed[depth] == 0)
            {
                if (depth == 0)
                {
                    length = reader.Consumed;
                    return FrameStatus.Complete;
                }

                depth--;
            }

            if (!reader.TryRead(out byte code))
            {
                return buffer.Length > maxMessageSize ? FrameStatus.TooLarge : FrameStatus.NeedMoreData;
            }

            owed[depth]--;
            long skip;
            long children = 0;
            switch (code)
            {
                case <= 0x7f: skip = 0; break;                    // positive fixint
                case <= 0x8f: children = 2L * (code & 0x0f); skip = 0; break; // fixmap
                case <= 0x9f: children = code & 0x0f; skip = 0; break;        // fixarray
                case <= 0xbf: skip = code & 0x1f; break;          // fixstr
                case 0xc0 or 0xc2 or 0xc3: skip = 0; break;       // nil, false, true
                case 0xc1: return FrameStatus.Malformed;
                case 0xc4 or 0xd9: if (!TryReadLength(ref reader, 1, out skip)) return Short(buffer, maxMessageSize); break; // bin8, str8
                case 0xc5 or 0xda: if (!TryReadLength(ref reader, 2, out skip)) return Short(buffer, maxMessageSize); break; // bin16, str16
                case 0xc6 or 0xdb: if (!TryReadLength(ref reader, 4, out skip)) return Short(buffer, maxMessageSize); break; // bin32, str32
                case 0xc7: if (!TryReadLength(ref reader, 1, out skip)) return Short(buffer, maxMessageSize); skip += 1; break; // ext8
                case 0xc8: if (!TryReadLength(ref reader, 2, out skip)) return Short(buffer, maxMessageSize); skip += 1; break; // ext16
                case 0xc9: if (!TryReadLength(ref reader, 4, out skip)) return Short(buffer, maxMessageSize); skip += 1; break; // ext32
                case 0xca: skip = 4; break;                       // float32
                case 0xcb: skip = 8; break;                       // float64
                case 0xcc or 0xd0: skip = 1; break;
                case 0xcd or 0xd1: skip = 2; break;
                case 0xce or 0xd2: skip = 4; break;
                case 0xcf or 0xd3: skip = 8; break;
                case 0xd4: skip = 2; break;                       // fixext1 (type + 1)
                case 0xd5: skip = 3; break;
                case 0xd6: skip = 5; break;
                case 0xd7: skip = 9; break;
                case 0xd8: skip = 17; break;
                case 0xdc: if (!TryReadLength(ref reader, 2, out children)) return Short(buffer, maxMessageSize); skip = 0; break; // array16
                case 0xdd: if (!TryReadLength(ref reader, 4, out children)) return Short(buffer, maxMessageSize); skip = 0; break; // array32
                case 0xde: if (!TryReadLength(ref reader, 2, out children)) return Short(buffer, maxMessageSize); children *= 2; skip = 0; break; // map16
                case 0xdf: if (!TryReadLength(ref reader, 4, out children)) return Short(buffer, maxMessageSize); children *= 2; skip = 0; break; // map32
                default: skip = 0; break;                         // negative fixint 0xe0..0xff
            }

            if (reader.Consumed + skip + children > maxMessageSize)
            {
                // Every child needs at least one byte: a declared size past the limit is rejected before it arrives.
                return FrameStatus.TooLarge;
            }

            if (skip > 0)
            {
                if (reader.Remaining < skip) return Short(buffer, maxMessageSize);
                reader.Advance(skip);
            }

            if (children > 0)
            {
                depth++;
                if (depth > maxDepth) return FrameStatus.TooDeep;
                owed[depth] = (uint)children;
            }
            else if (code is (>= 0x80 and <= 0x9f) or 0xdc or 0xdd or 0xde or 0xdf)
            {
                // An empty array or map still counts as a nesting level for the depth limit.
                if (depth + 1 > maxDepth) return FrameStatus.TooDeep;
            }
        }
    }

    private static FrameStatus Short(in ReadOnlySequence<byte> buffer, long maxMessageSize)
        => buffer.Length > maxMessageSize ? FrameStatus.TooLarge : FrameStatus.NeedMoreData;

    private static bool TryReadLength(ref SequenceReader<byte> reader, int width, out long value)
    {
        Span<byte> bytes = stackalloc byte[4];
        value = 0;
        if (!reader.TryCopyTo(bytes[..width])) return false;
        reader.Advance(width);
        value = width switch
        {
            1 => bytes[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(bytes),
            _ => BinaryPrimitives.ReadUInt32BigEndian(bytes),
        };
        return true;
    }
}
