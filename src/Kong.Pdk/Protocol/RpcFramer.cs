using System.Buffers;
using System.Buffers.Binary;

namespace Kong.Pdk.Protocol;

/// <summary>
/// Finds the end of one MessagePack value in a buffer without decoding it. MsgPack:1 has no length prefix: a
/// message is exactly one value (an array), and its end is found by walking the structure. The walk never
/// throws on partial input: it keeps a count of values still owed per nesting level, jumps over the payload of
/// str/bin/ext, and reports <see cref="FrameStatus.NeedMoreData"/> when the bytes run out.
/// </summary>
/// <remarks>
/// An instance belongs to one connection and resumes where its last call stopped: the walk's state (values owed per
/// level, the offset reached, payload bytes still to skip) is kept between calls, so a message that arrives in many
/// pieces is walked once, in time linear in its length, instead of from its start on every receive. Each call is
/// given the bytes from the start of the current message; after <see cref="FrameStatus.Complete"/> (or a violation)
/// the next call starts a new message.
/// </remarks>
internal sealed class RpcFramer
{
    /// <summary>The deepest nesting the framer can be configured for.</summary>
    public const int MaxSupportedDepth = 256;

    [ThreadStatic]
    private static RpcFramer? t_oneShot;

    private readonly long _maxMessageSize;
    private readonly int _maxDepth;
    private readonly uint[] _owed;
    private int _depth;
    private long _scanned;
    private long _skipRemaining;

    // Where _scanned is in the last buffer, and that buffer's start: when the next buffer starts at the same place
    // (segments kept until the message is consumed), the walk resumes there without walking the segments.
    private SequencePosition _scannedPosition;
    private object? _bufferStartObject;
    private int _bufferStartIndex;

    /// <param name="maxMessageSize">Largest accepted message, in bytes.</param>
    /// <param name="maxDepth">Deepest accepted nesting of arrays and maps (the top-level array is depth 1).</param>
    public RpcFramer(long maxMessageSize, int maxDepth)
    {
        _maxMessageSize = maxMessageSize;
        _maxDepth = Math.Min(maxDepth, MaxSupportedDepth);
        _owed = new uint[_maxDepth + 1];
        Reset();
    }

    /// <summary>Bytes looked at since the framer was created: each byte of a message once, plus the few header bytes
    /// read again when a call stops inside a header (for tests that prove the walk resumes).</summary>
    internal long BytesExamined { get; private set; }

    /// <summary>Looks for one complete value at the start of <paramref name="buffer"/>, from scratch (no state kept).</summary>
    /// <param name="buffer">Bytes received so far.</param>
    /// <param name="maxMessageSize">Largest accepted message, in bytes.</param>
    /// <param name="maxDepth">Deepest accepted nesting of arrays and maps (the top-level array is depth 1).</param>
    /// <param name="length">The message length when <see cref="FrameStatus.Complete"/> is returned.</param>
    public static FrameStatus TryFindMessage(in ReadOnlySequence<byte> buffer, long maxMessageSize, int maxDepth, out long length)
    {
        RpcFramer? framer = t_oneShot;
        if (framer is null || framer._maxMessageSize != maxMessageSize || framer._maxDepth != Math.Min(maxDepth, MaxSupportedDepth))
        {
            t_oneShot = framer = new RpcFramer(maxMessageSize, maxDepth);
        }

        FrameStatus status = framer.Find(buffer, out length);
        framer.Reset();
        return status;
    }

    /// <summary>Forgets a partly walked message (the connection starts over, or a one-shot call ended).</summary>
    public void Reset()
    {
        _depth = 0;
        _owed[0] = 1;
        _scanned = 0;
        _skipRemaining = 0;
        _bufferStartObject = null;
    }

    /// <summary>Continues the walk of the message that starts at the start of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">Bytes of the current message received so far (and possibly more after it); the bytes
    /// walked by earlier calls must be the same.</param>
    /// <param name="length">The message length when <see cref="FrameStatus.Complete"/> is returned.</param>
    public FrameStatus Find(in ReadOnlySequence<byte> buffer, out long length)
    {
        length = 0;
        if (buffer.Length < _scanned)
        {
            // Not the buffer of the walk so far (the caller started over): walk from the start.
            Reset();
        }

        long resumedAt = _scanned;
        long origin;
        SequenceReader<byte> reader;
        if (_scanned > 0 && _bufferStartObject is not null && ReferenceEquals(buffer.Start.GetObject(), _bufferStartObject)
            && buffer.Start.GetInteger() == _bufferStartIndex)
        {
            reader = new SequenceReader<byte>(buffer.Slice(_scannedPosition));
            origin = _scanned;
        }
        else
        {
            reader = new SequenceReader<byte>(buffer);
            reader.Advance(_scanned);
            origin = 0;
        }

        FrameStatus status = Walk(ref reader, origin, buffer.Length, out long stoppedAt);
        BytesExamined += stoppedAt - resumedAt;
        if (status == FrameStatus.NeedMoreData)
        {
            _bufferStartObject = buffer.Start.GetObject();
            _bufferStartIndex = buffer.Start.GetInteger();
            return buffer.Length > _maxMessageSize ? FrameStatus.TooLarge : FrameStatus.NeedMoreData;
        }

        if (status == FrameStatus.Complete) length = _scanned;
        Reset();
        return status;
    }

    /// <summary>The walk itself. Works on locals and writes its state back (<see cref="Save"/>) when it stops, at the
    /// last element boundary it reached.</summary>
    /// <param name="reader">Positioned at <see cref="_scanned"/>.</param>
    /// <param name="origin">The message offset of the reader's start (offsets are <c>origin + reader.Consumed</c>).</param>
    /// <param name="available">Bytes in the buffer.</param>
    /// <param name="stoppedAt">The furthest offset looked at.</param>
    private FrameStatus Walk(ref SequenceReader<byte> reader, long origin, long available, out long stoppedAt)
    {
        if (_skipRemaining > 0)
        {
            long skipNow = Math.Min(_skipRemaining, reader.Remaining);
            reader.Advance(skipNow);
            _skipRemaining -= skipNow;
            if (_skipRemaining > 0)
            {
                Save(ref reader, origin, _depth);
                stoppedAt = _scanned;
                return FrameStatus.NeedMoreData;
            }
        }

        Span<uint> owed = _owed;
        int depth = _depth;
        long maxMessageSize = _maxMessageSize;
        while (true)
        {
            while (owed[depth] == 0)
            {
                if (depth == 0)
                {
                    Save(ref reader, origin, depth);
                    stoppedAt = _scanned;
                    return FrameStatus.Complete;
                }

                depth--;
            }

            if (!reader.TryRead(out byte code))
            {
                Save(ref reader, origin, depth);
                stoppedAt = _scanned;
                return FrameStatus.NeedMoreData;
            }

            long skip;
            long children = 0;
            bool complete = true;
            switch (code)
            {
                case <= 0x7f: skip = 0; break;                    // positive fixint
                case <= 0x8f: children = 2L * (code & 0x0f); skip = 0; break; // fixmap
                case <= 0x9f: children = code & 0x0f; skip = 0; break;        // fixarray
                case <= 0xbf: skip = code & 0x1f; break;          // fixstr
                case 0xc0 or 0xc2 or 0xc3: skip = 0; break;       // nil, false, true
                case 0xc1:
                    stoppedAt = origin + reader.Consumed;
                    return FrameStatus.Malformed;
                case 0xc4 or 0xd9: complete = TryReadLength(ref reader, 1, out skip); break; // bin8, str8
                case 0xc5 or 0xda: complete = TryReadLength(ref reader, 2, out skip); break; // bin16, str16
                case 0xc6 or 0xdb: complete = TryReadLength(ref reader, 4, out skip); break; // bin32, str32
                case 0xc7: complete = TryReadLength(ref reader, 1, out skip); skip += 1; break; // ext8
                case 0xc8: complete = TryReadLength(ref reader, 2, out skip); skip += 1; break; // ext16
                case 0xc9: complete = TryReadLength(ref reader, 4, out skip); skip += 1; break; // ext32
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
                case 0xdc: complete = TryReadLength(ref reader, 2, out children); skip = 0; break; // array16
                case 0xdd: complete = TryReadLength(ref reader, 4, out children); skip = 0; break; // array32
                case 0xde: complete = TryReadLength(ref reader, 2, out children); children *= 2; skip = 0; break; // map16
                case 0xdf: complete = TryReadLength(ref reader, 4, out children); children *= 2; skip = 0; break; // map32
                default: skip = 0; break;                         // negative fixint 0xe0..0xff
            }

            if (!complete)
            {
                // The header's length bytes have not all arrived: the next call reads this header again.
                reader.Rewind(1);
                Save(ref reader, origin, depth);
                stoppedAt = available;
                return FrameStatus.NeedMoreData;
            }

            if (origin + reader.Consumed + skip + children > maxMessageSize)
            {
                // Every child needs at least one byte: a declared size past the limit is rejected before it arrives.
                stoppedAt = origin + reader.Consumed;
                return FrameStatus.TooLarge;
            }

            if (children > 0 || code is (>= 0x80 and <= 0x9f) or 0xdc or 0xdd or 0xde or 0xdf)
            {
                // An empty array or map still counts as a nesting level for the depth limit.
                if (depth + 1 > _maxDepth)
                {
                    stoppedAt = origin + reader.Consumed;
                    return FrameStatus.TooDeep;
                }
            }

            owed[depth]--;
            if (children > 0)
            {
                depth++;
                owed[depth] = (uint)children;
            }

            if (skip > 0)
            {
                if (reader.Remaining < skip)
                {
                    // A payload still arriving: the next call skips the rest of it first.
                    _skipRemaining = skip - reader.Remaining;
                    reader.AdvanceToEnd();
                    Save(ref reader, origin, depth);
                    stoppedAt = _scanned;
                    return FrameStatus.NeedMoreData;
                }

                reader.Advance(skip);
            }
        }
    }

    /// <summary>Writes the walk's state back at the reader's position (an element boundary, or inside a payload).</summary>
    private void Save(ref SequenceReader<byte> reader, long origin, int depth)
    {
        _depth = depth;
        _scanned = origin + reader.Consumed;
        _scannedPosition = reader.Position;
    }

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
