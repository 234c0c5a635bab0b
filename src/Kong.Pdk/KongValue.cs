using System.Collections.ObjectModel;
using System.Globalization;
using System.Text;
using System.Buffers;
using MessagePack;

namespace Kong.Pdk;

/// <summary>The kind of a <see cref="KongValue"/>: the Lua value types that travel over MessagePack.</summary>
public enum KongValueKind
{
    /// <summary>Lua <c>nil</c> (or the JSON-null sentinel).</summary>
    Nil,

    /// <summary>A boolean.</summary>
    Boolean,

    /// <summary>An integral number (Kong sends <c>1.0</c> as the integer 1).</summary>
    Integer,

    /// <summary>A non-integral number (float64).</summary>
    Number,

    /// <summary>A Lua string sent as MessagePack str. It may hold bytes that are not UTF-8: see
    /// <see cref="KongValue.IsValidUtf8"/> and <see cref="KongValue.GetRawBytes"/>.</summary>
    String,

    /// <summary>A Lua string sent as MessagePack bin (raw bodies), or bytes we send as bin.</summary>
    Bytes,

    /// <summary>A Lua table with keys exactly 1..n. An empty Lua table arrives as an empty list; <see cref="KongValue.AsMap"/>
    /// accepts it as an empty map.</summary>
    List,

    /// <summary>Any other Lua table: keys of any type, in no particular order.</summary>
    Map,
}

/// <summary>
/// An immutable Kong (Lua) value as it travels over the plugin socket: nil, boolean, integer, number, string, bytes,
/// list or map. Used by <c>kong.Ctx.Shared</c>, <c>kong.Nginx.GetCtxAsync</c>/<c>SetCtxAsync</c> and
/// <see cref="IKong.CallAsync(string, KongValue[])"/>.
/// </summary>
/// <remarks>
/// <para><b>Strings that are not UTF-8.</b> Lua strings are byte strings; Kong sends header values, query strings
/// and <c>ctx.shared</c> values as MessagePack str even when they are not valid UTF-8. Such a value never throws:
/// <see cref="AsString"/> holds the text with each invalid sequence replaced by U+FFFD, <see cref="IsValidUtf8"/> is
/// false, and <see cref="GetRawBytes"/> returns the exact bytes. Writing the value back sends the original bytes.</para>
/// <para><b>Writing.</b> A value is written as plain MessagePack: never an extension type (Kong decodes those as
/// nil). A <see cref="KongValueKind.Bytes"/> value is written as bin, which Kong turns into a Lua string.</para>
/// </remarks>
public sealed class KongValue : IEquatable<KongValue>
{
    private const int MaxDepth = 64;

    private static readonly UTF8Encoding LenientUtf8 = new(false, false);
    private static readonly KongValue[] NoItems = [];
    private static readonly KeyValuePair<KongValue, KongValue>[] NoEntries = [];

    /// <summary>nil.</summary>
    public static readonly KongValue Nil = new(KongValueKind.Nil);

    /// <summary>true.</summary>
    public static readonly KongValue True = new(KongValueKind.Boolean) { _integer = 1 };

    /// <summary>false.</summary>
    public static readonly KongValue False = new(KongValueKind.Boolean);

    /// <summary>An empty list, which Lua cannot tell apart from an empty map.</summary>
    public static readonly KongValue EmptyList = new(KongValueKind.List) { _items = NoItems };

    private long _integer;
    private double _number;
    private string? _string;
    private byte[]? _bytes; // Bytes: the bytes; String: the raw bytes when they are not valid UTF-8
    private KongValue[]? _items;
    private KeyValuePair<KongValue, KongValue>[]? _entries;

    private KongValue(KongValueKind kind) => Kind = kind;

    /// <summary>What this value is.</summary>
    public KongValueKind Kind { get; }

    /// <summary>True for nil.</summary>
    public bool IsNil => Kind == KongValueKind.Nil;

    /// <summary>False only for a <see cref="KongValueKind.String"/> whose bytes are not valid UTF-8 (its text holds
    /// U+FFFD replacement characters; <see cref="GetRawBytes"/> has the bytes).</summary>
    public bool IsValidUtf8 => Kind != KongValueKind.String || _bytes is null;

    /// <summary>A string value.</summary>
    public static KongValue From(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new KongValue(KongValueKind.String) { _string = value };
    }

    /// <summary>An integer value.</summary>
    public static KongValue From(long value) => new(KongValueKind.Integer) { _integer = value };

    /// <summary>A number. An integral double becomes an integer, as Kong would send it.</summary>
    public static KongValue From(double value)
    {
        if (value == Math.Floor(value) && Math.Abs(value) < 9.007199254740992E15) return From((long)value);
        return new KongValue(KongValueKind.Number) { _number = value };
    }

    /// <summary>A boolean.</summary>
    public static KongValue From(bool value) => value ? True : False;

    /// <summary>Bytes, written as MessagePack bin (a Lua string on Kong's side). The array is copied.</summary>
    public static KongValue FromBytes(ReadOnlySpan<byte> value) => new(KongValueKind.Bytes) { _bytes = value.ToArray() };

    /// <summary>A Lua string given as raw bytes (written as str, as Kong does). Bytes that are not UTF-8 are kept.</summary>
    public static KongValue FromStringBytes(ReadOnlySpan<byte> utf8)
    {
        bool valid = System.Text.Unicode.Utf8.IsValid(utf8);
        return new KongValue(KongValueKind.String) { _string = LenientUtf8.GetString(utf8), _bytes = valid ? null : utf8.ToArray() };
    }

    /// <summary>A list (Lua sequence). A nil item makes the Lua length ill-defined: avoid it.</summary>
    public static KongValue List(params KongValue[] items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Length == 0) return EmptyList;
        var copy = new KongValue[items.Length];
        for (int i = 0; i < items.Length; i++) copy[i] = items[i] ?? Nil;
        return new KongValue(KongValueKind.List) { _items = copy };
    }

    /// <summary>A list of strings.</summary>
    public static KongValue List(IEnumerable<string> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var list = new List<KongValue>();
        foreach (string item in items) list.Add(From(item));
        return list.Count == 0 ? EmptyList : new KongValue(KongValueKind.List) { _items = list.ToArray() };
    }

    /// <summary>A map with string keys. An empty map is sent as an empty map (<c>80</c>).</summary>
    public static KongValue Map(IEnumerable<KeyValuePair<string, KongValue>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = new List<KeyValuePair<KongValue, KongValue>>();
        foreach (KeyValuePair<string, KongValue> entry in entries)
        {
            ArgumentNullException.ThrowIfNull(entry.Key);
            list.Add(new(From(entry.Key), entry.Value ?? Nil));
        }

        return new KongValue(KongValueKind.Map) { _entries = list.ToArray() };
    }

    /// <summary>A map with string keys to string values.</summary>
    public static KongValue Map(IEnumerable<KeyValuePair<string, string>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = new List<KeyValuePair<KongValue, KongValue>>();
        foreach (KeyValuePair<string, string> entry in entries)
        {
            ArgumentNullException.ThrowIfNull(entry.Key);
            list.Add(new(From(entry.Key), entry.Value is null ? Nil : From(entry.Value)));
        }

        return new KongValue(KongValueKind.Map) { _entries = list.ToArray() };
    }

    /// <summary>A map with keys of any kind (Lua allows any non-nil key).</summary>
    public static KongValue Map(IEnumerable<KeyValuePair<KongValue, KongValue>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = new List<KeyValuePair<KongValue, KongValue>>();
        foreach (KeyValuePair<KongValue, KongValue> entry in entries)
        {
            if (entry.Key is null || entry.Key.IsNil) throw new ArgumentException("A Lua table key cannot be nil.", nameof(entries));
            list.Add(new(entry.Key, entry.Value ?? Nil));
        }

        return new KongValue(KongValueKind.Map) { _entries = list.ToArray() };
    }

    /// <summary>A string.</summary>
    public static implicit operator KongValue(string? value) => value is null ? Nil : From(value);

    /// <summary>An integer.</summary>
    public static implicit operator KongValue(long value) => From(value);

    /// <summary>An integer.</summary>
    public static implicit operator KongValue(int value) => From(value);

    /// <summary>A number.</summary>
    public static implicit operator KongValue(double value) => From(value);

    /// <summary>A boolean.</summary>
    public static implicit operator KongValue(bool value) => From(value);

    /// <summary>Bytes (bin).</summary>
    public static implicit operator KongValue(byte[]? value) => value is null ? Nil : FromBytes(value);

    /// <summary>The boolean; throws for another kind.</summary>
    public bool AsBoolean() => Kind == KongValueKind.Boolean ? _integer != 0 : throw WrongKind("a boolean");

    /// <summary>The integer. A <see cref="KongValueKind.Number"/> is accepted when it is integral.</summary>
    public long AsInt64() => Kind switch
    {
        KongValueKind.Integer => _integer,
        KongValueKind.Number when _number == Math.Floor(_number) => (long)_number,
        _ => throw WrongKind("an integer"),
    };

    /// <summary>The number, from an integer or a float.</summary>
    public double AsDouble() => Kind switch
    {
        KongValueKind.Integer => _integer,
        KongValueKind.Number => _number,
        _ => throw WrongKind("a number"),
    };

    /// <summary>The text of a string (U+FFFD where the bytes were not UTF-8), or bytes decoded leniently as UTF-8.</summary>
    public string AsString() => Kind switch
    {
        KongValueKind.String => _string!,
        KongValueKind.Bytes => LenientUtf8.GetString(_bytes!),
        _ => throw WrongKind("a string"),
    };

    /// <summary>The exact bytes of a string or bytes value: for a string, its raw bytes as Kong sent them
    /// (UTF-8 when <see cref="IsValidUtf8"/>).</summary>
    public ReadOnlyMemory<byte> GetRawBytes() => Kind switch
    {
        KongValueKind.Bytes => _bytes,
        KongValueKind.String => _bytes ?? Encoding.UTF8.GetBytes(_string!),
        _ => throw WrongKind("a string or bytes"),
    };

    /// <summary>The items of a list; an empty map gives an empty list as well.</summary>
    public IReadOnlyList<KongValue> AsList() => Kind switch
    {
        KongValueKind.List => _items!,
        KongValueKind.Map when _entries!.Length == 0 => NoItems,
        _ => throw WrongKind("a list"),
    };

    /// <summary>The entries of a map, in arrival order; an empty list is an empty map (Lua cannot tell them
    /// apart), and a non-empty list gives its 1-based integer keys.</summary>
    public IReadOnlyList<KeyValuePair<KongValue, KongValue>> AsMap()
    {
        switch (Kind)
        {
            case KongValueKind.Map:
                return _entries!;
            case KongValueKind.List:
                if (_items!.Length == 0) return NoEntries;
                var entries = new KeyValuePair<KongValue, KongValue>[_items.Length];
                for (int i = 0; i < _items.Length; i++) entries[i] = new(From(i + 1), _items[i]);
                return entries;
            default:
                throw WrongKind("a map");
        }
    }

    /// <summary>The map entry with string key <paramref name="key"/>, or <see cref="Nil"/> when absent or when
    /// this is not a map.</summary>
    public KongValue this[string key] => TryGetProperty(key, out KongValue? value) ? value : Nil;

    /// <summary>The list item at <paramref name="index"/> (0-based), or <see cref="Nil"/> when out of range or
    /// when this is not a list.</summary>
    public KongValue this[int index] => Kind == KongValueKind.List && (uint)index < (uint)_items!.Length ? _items[index] : Nil;

    /// <summary>Finds a map entry by string key (ordinal).</summary>
    public bool TryGetProperty(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out KongValue? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Kind == KongValueKind.Map)
        {
            foreach (KeyValuePair<KongValue, KongValue> entry in _entries!)
            {
                if (entry.Key.Kind == KongValueKind.String && string.Equals(entry.Key._string, key, StringComparison.Ordinal))
                {
                    value = entry.Value;
                    return true;
                }
            }
        }

        value = null;
        return false;
    }

    /// <summary>The number of list items or map entries; 0 for other kinds.</summary>
    public int Count => Kind switch
    {
        KongValueKind.List => _items!.Length,
        KongValueKind.Map => _entries!.Length,
        _ => 0,
    };

    /// <summary>The string, or null for nil; other kinds throw. Convenient for optional string values.</summary>
    public string? AsStringOrNull() => IsNil ? null : AsString();

    private InvalidOperationException WrongKind(string expected)
        => new($"The Kong value is {Describe(Kind)}, not {expected}.");

    private static string Describe(KongValueKind kind) => kind switch
    {
        KongValueKind.Nil => "nil",
        KongValueKind.Boolean => "a boolean",
        KongValueKind.Integer => "an integer",
        KongValueKind.Number => "a number",
        KongValueKind.String => "a string",
        KongValueKind.Bytes => "bytes",
        KongValueKind.List => "a list",
        _ => "a map",
    };

    /// <inheritdoc/>
    public bool Equals(KongValue? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null) return false;
        if (Kind != other.Kind)
        {
            bool bothEmptyTables = Count == 0 && other.Count == 0
                && Kind is KongValueKind.List or KongValueKind.Map && other.Kind is KongValueKind.List or KongValueKind.Map;
            return bothEmptyTables;
        }

        switch (Kind)
        {
            case KongValueKind.Nil: return true;
            case KongValueKind.Boolean:
            case KongValueKind.Integer: return _integer == other._integer;
            case KongValueKind.Number: return _number.Equals(other._number);
            case KongValueKind.String: return GetRawBytes().Span.SequenceEqual(other.GetRawBytes().Span);
            case KongValueKind.Bytes: return _bytes.AsSpan().SequenceEqual(other._bytes);
            case KongValueKind.List:
                if (_items!.Length != other._items!.Length) return false;
                for (int i = 0; i < _items.Length; i++)
                {
                    if (!_items[i].Equals(other._items[i])) return false;
                }

                return true;
            default:
                if (_entries!.Length != other._entries!.Length) return false;
                foreach (KeyValuePair<KongValue, KongValue> entry in _entries)
                {
                    bool found = false;
                    foreach (KeyValuePair<KongValue, KongValue> candidate in other._entries)
                    {
                        if (entry.Key.Equals(candidate.Key))
                        {
                            if (!entry.Value.Equals(candidate.Value)) return false;
                            found = true;
                            break;
                        }
                    }

                    if (!found) return false;
                }

                return true;
        }
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as KongValue);

    /// <inheritdoc/>
    public override int GetHashCode() => Kind switch
    {
        KongValueKind.Boolean or KongValueKind.Integer => HashCode.Combine(Kind, _integer),
        KongValueKind.Number => HashCode.Combine(Kind, _number),
        KongValueKind.String => HashCode.Combine(Kind, _string),
        KongValueKind.List or KongValueKind.Map => Count == 0 ? 17 : HashCode.Combine(Kind, Count),
        _ => (int)Kind,
    };

    /// <summary>A short rendering for diagnostics (not JSON).</summary>
    public override string ToString()
    {
        switch (Kind)
        {
            case KongValueKind.Nil: return "nil";
            case KongValueKind.Boolean: return _integer != 0 ? "true" : "false";
            case KongValueKind.Integer: return _integer.ToString(CultureInfo.InvariantCulture);
            case KongValueKind.Number: return _number.ToString("R", CultureInfo.InvariantCulture);
            case KongValueKind.String: return _string!;
            case KongValueKind.Bytes: return "bytes[" + _bytes!.Length.ToString(CultureInfo.InvariantCulture) + "]";
            case KongValueKind.List: return "[" + string.Join(", ", (IEnumerable<KongValue>)_items!) + "]";
            default:
                var sb = new StringBuilder("{");
                for (int i = 0; i < _entries!.Length; i++)
                {
                    if (i > 0) sb.Append(", ");
                    sb.Append(_entries[i].Key).Append(": ").Append(_entries[i].Value);
                }

                return sb.Append('}').ToString();
        }
    }

    /// <summary>Writes the value as plain MessagePack (no extension types).</summary>
    internal void WriteTo(ref MessagePackWriter writer) => WriteTo(ref writer, 0);

    private void WriteTo(ref MessagePackWriter writer, int depth)
    {
        if (depth > MaxDepth) throw new ArgumentException("The Kong value is nested too deeply (more than 64 levels).");
        switch (Kind)
        {
            case KongValueKind.Nil:
                writer.WriteNil();
                break;
            case KongValueKind.Boolean:
                writer.Write(_integer != 0);
                break;
            case KongValueKind.Integer:
                writer.Write(_integer);
                break;
            case KongValueKind.Number:
                writer.Write(_number);
                break;
            case KongValueKind.String:
                if (_bytes is not null) writer.WriteString(_bytes);
                else writer.Write(_string);
                break;
            case KongValueKind.Bytes:
                writer.Write(_bytes.AsSpan());
                break;
            case KongValueKind.List:
                writer.WriteArrayHeader(_items!.Length);
                foreach (KongValue item in _items) item.WriteTo(ref writer, depth + 1);
                break;
            default:
                writer.WriteMapHeader(_entries!.Length);
                foreach (KeyValuePair<KongValue, KongValue> entry in _entries)
                {
                    entry.Key.WriteTo(ref writer, depth + 1);
                    entry.Value.WriteTo(ref writer, depth + 1);
                }

                break;
        }
    }

    /// <summary>Reads any MessagePack value leniently. Extension values (Kong never sends them) read as nil.</summary>
    internal static KongValue Read(ref MessagePackReader reader) => Read(ref reader, 0);

    private static KongValue Read(ref MessagePackReader reader, int depth)
    {
        if (depth > MaxDepth) throw new MessagePackSerializationException("the value is nested too deeply");
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                return Nil;
            case MessagePackType.Boolean:
                return From(reader.ReadBoolean());
            case MessagePackType.Integer:
                if (reader.NextCode == MessagePackCode.UInt64)
                {
                    ulong u = reader.ReadUInt64();
                    return u <= long.MaxValue ? From((long)u) : new KongValue(KongValueKind.Number) { _number = u };
                }

                return From(reader.ReadInt64());
            case MessagePackType.Float:
                double d = reader.ReadDouble();
                return new KongValue(KongValueKind.Number) { _number = d };
            case MessagePackType.String:
                if (reader.TryReadStringSpan(out ReadOnlySpan<byte> span)) return FromStringBytes(span);
                ReadOnlySequence<byte>? seq = reader.ReadStringSequence();
                return seq is { } s ? FromStringBytes(s.ToArray()) : From(string.Empty);
            case MessagePackType.Binary:
                ReadOnlySequence<byte>? bin = reader.ReadBytes();
                return new KongValue(KongValueKind.Bytes) { _bytes = bin is { } b ? b.ToArray() : [] };
            case MessagePackType.Array:
                int n = reader.ReadArrayHeader();
                if (n == 0) return EmptyList;
                var items = new KongValue[n];
                for (int i = 0; i < n; i++) items[i] = Read(ref reader, depth + 1);
                return new KongValue(KongValueKind.List) { _items = items };
            case MessagePackType.Map:
                int m = reader.ReadMapHeader();
                var entries = m == 0 ? NoEntries : new KeyValuePair<KongValue, KongValue>[m];
                for (int i = 0; i < m; i++)
                {
                    KongValue key = Read(ref reader, depth + 1);
                    entries[i] = new(key, Read(ref reader, depth + 1));
                }

                return new KongValue(KongValueKind.Map) { _entries = entries };
            default:
                reader.Skip();
                return Nil;
        }
    }
}
