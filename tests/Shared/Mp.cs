using System.Buffers;
using System.Collections;
using System.Text;
using MessagePack;

namespace Kong.Pdk.TestSupport;

/// <summary>Raw MessagePack bytes to splice into an encoded value as they are.</summary>
public sealed record MpRaw(byte[] Bytes);

/// <summary>A str whose bytes are given (may be invalid UTF-8).</summary>
public sealed record MpStrBytes(byte[] Bytes);

/// <summary>
/// Test-side MessagePack: encodes plain .NET values (null, bool, integers, double, string, byte[] as bin,
/// arrays/lists, dictionaries) and decodes to plain values (long, double, string, byte[] for bin,
/// <c>object?[]</c>, <c>Dictionary&lt;object, object?&gt;</c>). Independent of the product's writer, so the tests
/// do not check the product against itself.
/// </summary>
public static class Mp
{
    public static byte[] Encode(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        Write(ref writer, value);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(ref MessagePackWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNil(); break;
            case bool b: writer.Write(b); break;
            case int i: writer.Write(i); break;
            case long l: writer.Write(l); break;
            case double d: writer.Write(d); break;
            case string s: writer.Write(s); break;
            case byte[] bytes: writer.Write(bytes); break;
            case MpRaw raw: writer.WriteRaw(raw.Bytes); break;
            case MpStrBytes str: writer.WriteString(str.Bytes); break;
            case IDictionary map:
                writer.WriteMapHeader(map.Count);
                foreach (DictionaryEntry entry in map)
                {
                    Write(ref writer, entry.Key);
                    Write(ref writer, entry.Value);
                }

                break;
            case IEnumerable list:
                var items = list.Cast<object?>().ToList();
                writer.WriteArrayHeader(items.Count);
                foreach (object? item in items) Write(ref writer, item);
                break;
            default: throw new ArgumentException("cannot encode " + value.GetType());
        }
    }

    public static object? Decode(byte[] bytes)
    {
        var reader = new MessagePackReader(bytes);
        object? value = Read(ref reader);
        if (!reader.End) throw new InvalidOperationException("trailing bytes");
        return value;
    }

    private static object? Read(ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil: reader.ReadNil(); return null;
            case MessagePackType.Boolean: return reader.ReadBoolean();
            case MessagePackType.Integer: return reader.NextCode == MessagePackCode.UInt64 ? (object)(long)reader.ReadUInt64() : reader.ReadInt64();
            case MessagePackType.Float: return reader.ReadDouble();
            case MessagePackType.String:
                ReadOnlySequence<byte> s = reader.ReadStringSequence()!.Value;
                return Encoding.UTF8.GetString(s.ToArray());
            case MessagePackType.Binary: return reader.ReadBytes()!.Value.ToArray();
            case MessagePackType.Array:
                int n = reader.ReadArrayHeader();
                var array = new object?[n];
                for (int i = 0; i < n; i++) array[i] = Read(ref reader);
                return array;
            case MessagePackType.Map:
                int m = reader.ReadMapHeader();
                var map = new Dictionary<object, object?>();
                for (int i = 0; i < m; i++)
                {
                    object key = Read(ref reader) ?? "(nil)";
                    map[key] = Read(ref reader);
                }

                return map;
            default:
                throw new InvalidOperationException("unexpected MessagePack type " + reader.NextMessagePackType);
        }
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    /// <summary>A map literal helper: <c>Map("a", 1, "b", 2)</c>.</summary>
    public static Dictionary<object, object?> Map(params object?[] keyValues)
    {
        var map = new Dictionary<object, object?>();
        for (int i = 0; i < keyValues.Length; i += 2) map[keyValues[i]!] = keyValues[i + 1];
        return map;
    }
}
