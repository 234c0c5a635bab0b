using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MessagePack;

namespace Kong.Pdk.Testing;

/// <summary>
/// Converts between MessagePack and the plain object trees the fake Kong works with: <c>null</c>, <see cref="bool"/>,
/// <see cref="long"/> (or <see cref="ulong"/> above <see cref="long.MaxValue"/>), <see cref="double"/>,
/// <see cref="string"/> (str, decoded leniently: invalid UTF-8 becomes U+FFFD), <see cref="byte"/>[] (bin),
/// <see cref="List{T}"/> of object (array) and <see cref="Dictionary{TKey, TValue}"/> of string to object (map;
/// non-string keys are converted with the invariant culture).
/// </summary>
/// <remarks>Writing follows Kong's encoder (kong-protocol.md §3.3): integral numbers as integers, strings never as
/// str8, an empty dictionary as an empty <b>array</b> (Kong cannot tell an empty table's kind) except
/// <see cref="KongMultiMapValue"/>, which is an explicit empty map.</remarks>
public static class MsgPackValue
{
    /// <summary>Reads one value. Ext types are a protocol violation (Kong decodes them to nil) and throw.</summary>
    /// <exception cref="KongTestException">An ext type was found.</exception>
    public static object? Read(ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                return null;
            case MessagePackType.Boolean:
                return reader.ReadBoolean();
            case MessagePackType.Integer:
                if (reader.NextCode == MessagePackCode.UInt64)
                {
                    ulong u = reader.ReadUInt64();
                    return u <= long.MaxValue ? (long)u : u;
                }

                return reader.ReadInt64();
            case MessagePackType.Float:
                return reader.ReadDouble();
            case MessagePackType.String:
            {
                ReadOnlySequence<byte>? bytes = reader.ReadStringSequence();
                return bytes is null ? string.Empty : Encoding.UTF8.GetString(bytes.Value);
            }

            case MessagePackType.Binary:
            {
                ReadOnlySequence<byte>? bytes = reader.ReadBytes();
                return bytes is null ? [] : bytes.Value.ToArray();
            }

            case MessagePackType.Array:
            {
                int count = reader.ReadArrayHeader();
                var list = new List<object?>(count);
                for (int i = 0; i < count; i++) list.Add(Read(ref reader));
                return list;
            }

            case MessagePackType.Map:
            {
                int count = reader.ReadMapHeader();
                var map = new Dictionary<string, object?>(count, StringComparer.Ordinal);
                for (int i = 0; i < count; i++)
                {
                    object? key = Read(ref reader);
                    map[ToText(key)] = Read(ref reader);
                }

                return map;
            }

            case MessagePackType.Extension:
                throw new KongTestException($"the plugin server wrote a MessagePack ext value (code 0x{reader.NextCode:X2}); Kong decodes ext types to nil (kong-protocol.md §3.3)");
            default:
                throw new KongTestException($"unknown MessagePack code 0x{reader.NextCode:X2}");
        }
    }

    /// <summary>Decodes one complete value from <paramref name="bytes"/>.</summary>
    public static object? Decode(ReadOnlyMemory<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        return Read(ref reader);
    }

    /// <summary>Encodes <paramref name="value"/> as Kong would.</summary>
    public static byte[] Encode(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(buffer);
        Write(ref writer, value);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes <paramref name="value"/> as Kong's encoder would (see the type remarks).</summary>
    /// <exception cref="ArgumentException">The value has no MessagePack form in this model.</exception>
    public static void Write(ref MessagePackWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNil();
                return;
            case bool b:
                writer.Write(b);
                return;
            case string s:
                WriteKongString(ref writer, Encoding.UTF8.GetBytes(s));
                return;
            case KongRawString raw:
                WriteKongString(ref writer, raw.Bytes.Span);
                return;
            case byte[] bytes:
                writer.Write(bytes.AsSpan());
                return;
            case ReadOnlyMemory<byte> memory:
                writer.Write(memory.Span);
                return;
            case KongRawMsgPack pre:
                writer.WriteRaw(pre.Bytes.Span);
                return;
            case int or long or short or sbyte:
                writer.Write(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                return;
            case uint or ulong or ushort or byte:
                writer.Write(Convert.ToUInt64(value, CultureInfo.InvariantCulture));
                return;
            case double or float or decimal:
            {
                double d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                // Lua numbers are doubles; Kong's encoder writes integral ones as integers ("1.0 is sent as 01").
                if (Math.Floor(d) == d && Math.Abs(d) < 9.2e18) writer.Write((long)d);
                else writer.Write(d);
                return;
            }

            case KongMultiMapValue multi:
                writer.WriteMapHeader(multi.Entries.Count);
                foreach (KeyValuePair<string, List<object?>> entry in multi.Entries)
                {
                    WriteKongString(ref writer, Encoding.UTF8.GetBytes(entry.Key));
                    writer.WriteArrayHeader(entry.Value.Count);
                    foreach (object? item in entry.Value) Write(ref writer, item);
                }

                return;
            case IDictionary dictionary:
                if (dictionary.Count == 0)
                {
                    writer.WriteArrayHeader(0); // Kong sends an empty table as an empty array.
                    return;
                }

                writer.WriteMapHeader(dictionary.Count);
                foreach (DictionaryEntry entry in dictionary)
                {
                    Write(ref writer, entry.Key);
                    Write(ref writer, entry.Value);
                }

                return;
            case IReadOnlyDictionary<string, object?> readOnly:
                if (readOnly.Count == 0)
                {
                    writer.WriteArrayHeader(0);
                    return;
                }

                writer.WriteMapHeader(readOnly.Count);
                foreach (KeyValuePair<string, object?> entry in readOnly)
                {
                    Write(ref writer, entry.Key);
                    Write(ref writer, entry.Value);
                }

                return;
            case IEnumerable sequence:
            {
                var items = new List<object?>();
                foreach (object? item in sequence) items.Add(item);
                writer.WriteArrayHeader(items.Count);
                foreach (object? item in items) Write(ref writer, item);
                return;
            }

            default:
                throw new ArgumentException($"a {value.GetType().Name} has no MessagePack form in the fake Kong; use null, bool, numbers, string, byte[], lists and dictionaries", nameof(value));
        }
    }

    /// <summary>str header as Kong writes it: fixstr, str16 or str32, never str8.</summary>
    private static void WriteKongString(ref MessagePackWriter writer, ReadOnlySpan<byte> utf8)
    {
        int length = utf8.Length;
        Span<byte> header = writer.GetSpan(5);
        if (length < 32)
        {
            header[0] = (byte)(0xA0 | length);
            writer.Advance(1);
        }
        else if (length <= ushort.MaxValue)
        {
            header[0] = 0xDA;
            header[1] = (byte)(length >> 8);
            header[2] = (byte)length;
            writer.Advance(3);
        }
        else
        {
            header[0] = 0xDB;
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header[1..], length);
            writer.Advance(5);
        }

        writer.WriteRaw(utf8);
    }

    /// <summary>Text of a scalar as Lua's <c>tostring</c> would print it (used for log lines and header values).</summary>
    public static string ToText(object? value) => value switch
    {
        null => "nil",
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IDictionary or IReadOnlyDictionary<string, object?> => "table",
        IEnumerable => "table",
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>Writes an object tree as JSON (as cjson would: byte arrays as UTF-8 strings, empty maps as <c>{}</c>).</summary>
    public static void WriteJson(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case bool b: json.WriteBooleanValue(b); break;
            case string s: json.WriteStringValue(s); break;
            case KongRawString raw: json.WriteStringValue(Encoding.UTF8.GetString(raw.Bytes.Span)); break;
            case byte[] bytes: json.WriteStringValue(Encoding.UTF8.GetString(bytes)); break;
            case int or long or short or sbyte or uint or ulong or ushort or byte:
                json.WriteNumberValue(Convert.ToDecimal(value, CultureInfo.InvariantCulture));
                break;
            case double or float or decimal:
                json.WriteNumberValue(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                break;
            case KongMultiMapValue multi:
                json.WriteStartObject();
                foreach (KeyValuePair<string, List<object?>> entry in multi.Entries)
                {
                    json.WritePropertyName(entry.Key);
                    WriteJson(json, entry.Value);
                }

                json.WriteEndObject();
                break;
            case IDictionary dictionary:
                json.WriteStartObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    json.WritePropertyName(ToText(entry.Key));
                    WriteJson(json, entry.Value);
                }

                json.WriteEndObject();
                break;
            case IReadOnlyDictionary<string, object?> readOnly:
                json.WriteStartObject();
                foreach (KeyValuePair<string, object?> entry in readOnly)
                {
                    json.WritePropertyName(entry.Key);
                    WriteJson(json, entry.Value);
                }

                json.WriteEndObject();
                break;
            case IEnumerable sequence:
                json.WriteStartArray();
                foreach (object? item in sequence) WriteJson(json, item);
                json.WriteEndArray();
                break;
            default:
                json.WriteStringValue(value.ToString());
                break;
        }
    }

    /// <summary>JSON text of an object tree.</summary>
    public static string ToJson(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer)) WriteJson(json, value);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Parses JSON text into an object tree (objects become dictionaries, numbers <see cref="long"/> or
    /// <see cref="double"/>).</summary>
    public static object? FromJson(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        using JsonDocument document = JsonDocument.ParseValue(ref reader);
        return FromJson(document.RootElement);
    }

    /// <summary>Converts a JSON element into an object tree.</summary>
    public static object? FromJson(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (JsonProperty property in element.EnumerateObject()) map[property.Name] = FromJson(property.Value);
                return map;
            case JsonValueKind.Array:
                var list = new List<object?>();
                foreach (JsonElement item in element.EnumerateArray()) list.Add(FromJson(item));
                return list;
            case JsonValueKind.String: return element.GetString();
            case JsonValueKind.Number: return element.TryGetInt64(out long l) ? l : element.GetDouble();
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            default: return null;
        }
    }
}

/// <summary>A Lua string with arbitrary bytes (not necessarily UTF-8), written as MessagePack str as Kong does for
/// header values, query strings and <c>ctx.shared</c> values.</summary>
/// <param name="Bytes">The raw bytes.</param>
public sealed record KongRawString(ReadOnlyMemory<byte> Bytes);

/// <summary>A value already encoded as MessagePack; written verbatim (for a handler that needs exact bytes).</summary>
/// <param name="Bytes">One complete MessagePack value.</param>
public sealed record KongRawMsgPack(ReadOnlyMemory<byte> Bytes);

/// <summary>A multimap result (<c>get_headers</c>, <c>get_query</c>): map of name to array, an explicit empty map
/// <c>80</c> when empty (kong-protocol.md §4.8). Values are strings, or <c>true</c> for a valueless query argument.</summary>
public sealed class KongMultiMapValue
{
    /// <summary>Creates an empty multimap.</summary>
    public KongMultiMapValue() { }

    /// <summary>Name to values, in insertion order of names.</summary>
    public List<KeyValuePair<string, List<object?>>> Entries { get; } = [];

    /// <summary>Appends a value under <paramref name="name"/> (ordinal name match).</summary>
    public void Add(string name, object? value)
    {
        foreach (KeyValuePair<string, List<object?>> entry in Entries)
        {
            if (string.Equals(entry.Key, name, StringComparison.Ordinal))
            {
                if (value is not null) entry.Value.Add(value);
                return;
            }
        }

        Entries.Add(new(name, value is null ? [] : [value]));
    }
}
