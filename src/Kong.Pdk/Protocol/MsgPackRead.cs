using System.Buffers;
using System.Text;
using MessagePack;

namespace Kong.Pdk.Protocol;

/// <summary>
/// Lenient readers for Kong's MessagePack dialect (kong-protocol.md §3.3): str that is not UTF-8, bin where a
/// string is meant, integers where a double is meant, an empty array where a map is meant.
/// </summary>
internal static class MsgPackRead
{
    private static readonly UTF8Encoding LenientUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>Reads a map header, or an empty array standing for an empty map.</summary>
    public static bool TryReadMapHeader(ref MessagePackReader reader, out int count)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Map:
                count = reader.ReadMapHeader();
                return true;
            case MessagePackType.Array when reader.ReadArrayHeader() is var n:
                count = 0;
                if (n == 0) return true;
                for (int i = 0; i < n; i++) reader.Skip();
                return false;
            default:
                count = 0;
                reader.Skip();
                return false;
        }
    }

    /// <summary>Reads a str (or bin) key into <paramref name="scratch"/>. Returns its length, or -1 for any other
    /// type (the value is skipped) or a key longer than the scratch.</summary>
    public static int ReadKey(ref MessagePackReader reader, scoped Span<byte> scratch)
    {
        MessagePackType type = reader.NextMessagePackType;
        ReadOnlySequence<byte>? seq;
        if (type == MessagePackType.String)
        {
            if (reader.TryReadStringSpan(out ReadOnlySpan<byte> span))
            {
                if (span.Length > scratch.Length) return -1;
                span.CopyTo(scratch);
                return span.Length;
            }

            seq = reader.ReadStringSequence();
        }
        else if (type == MessagePackType.Binary)
        {
            seq = reader.ReadBytes();
        }
        else
        {
            reader.Skip();
            return -1;
        }

        if (seq is not { } s || s.Length > scratch.Length) return -1;
        s.CopyTo(scratch);
        return (int)s.Length;
    }

    /// <summary>Reads str or bin as a string, decoding invalid UTF-8 to U+FFFD; nil gives null.</summary>
    /// <exception cref="MessagePackSerializationException">Another type is next.</exception>
    public static string? ReadStringLenient(ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                return null;
            case MessagePackType.String:
                if (reader.TryReadStringSpan(out ReadOnlySpan<byte> span)) return LenientUtf8.GetString(span);
                return Decode(reader.ReadStringSequence());
            case MessagePackType.Binary:
                return Decode(reader.ReadBytes());
            default:
                throw new MessagePackSerializationException("expected a string but found " + Describe(reader.NextCode));
        }
    }

    private static string Decode(ReadOnlySequence<byte>? sequence)
    {
        if (sequence is not { } s) return string.Empty;
        return s.IsSingleSegment ? LenientUtf8.GetString(s.FirstSpan) : LenientUtf8.GetString(s.ToArray());
    }

    /// <summary>Reads str or bin as raw bytes; nil gives null.</summary>
    public static byte[]? ReadBytesLenient(ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                return null;
            case MessagePackType.String:
                return reader.ReadStringSequence() is { } s ? s.ToArray() : [];
            case MessagePackType.Binary:
                return reader.ReadBytes() is { } b ? b.ToArray() : [];
            default:
                throw new MessagePackSerializationException("expected bytes but found " + Describe(reader.NextCode));
        }
    }

    /// <summary>Reads an integer, or a float64/float32 that holds an integral value.</summary>
    public static long ReadInt64Lenient(ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Integer:
                return reader.ReadInt64();
            case MessagePackType.Float:
                double d = reader.ReadDouble();
                if (d == Math.Floor(d) && d >= long.MinValue && d <= long.MaxValue) return (long)d;
                throw new MessagePackSerializationException("expected an integer but found the number " + d.ToString(System.Globalization.CultureInfo.InvariantCulture));
            default:
                throw new MessagePackSerializationException("expected an integer but found " + Describe(reader.NextCode));
        }
    }

    /// <summary>Reads a float or an integer as a double.</summary>
    public static double ReadDoubleLenient(ref MessagePackReader reader)
    {
        return reader.NextMessagePackType switch
        {
            MessagePackType.Float => reader.ReadDouble(),
            MessagePackType.Integer => reader.NextCode == MessagePackCode.UInt64 ? reader.ReadUInt64() : reader.ReadInt64(),
            _ => throw new MessagePackSerializationException("expected a number but found " + Describe(reader.NextCode)),
        };
    }

    /// <summary>A short human description of a MessagePack type byte, for error messages.</summary>
    public static string Describe(byte code) => MessagePackCode.ToMessagePackType(code) switch
    {
        MessagePackType.Nil => "nil",
        MessagePackType.Boolean => "a boolean",
        MessagePackType.Integer => "an integer",
        MessagePackType.Float => "a float",
        MessagePackType.String => "a string",
        MessagePackType.Binary => "binary data",
        MessagePackType.Array => "an array",
        MessagePackType.Map => "a map",
        MessagePackType.Extension => "an extension value",
        _ => "an invalid byte 0x" + code.ToString("x2", System.Globalization.CultureInfo.InvariantCulture),
    };
}
