using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Kong.Pdk.Protocol;
using MessagePack;

namespace Kong.Pdk;

/// <summary>
/// A read-only map from a name to its values, as Kong returns headers and query arguments: every name has a list of
/// values in arrival order. Header maps compare names case-insensitively; query maps exactly. A query argument
/// without a value (<c>?flag</c>) has an empty list.
/// </summary>
public sealed class KongMultiMap : IReadOnlyDictionary<string, IReadOnlyList<string>>
{
    private readonly Dictionary<string, IReadOnlyList<string>> _values;

    /// <summary>Creates a map holding <paramref name="values"/>.</summary>
    public KongMultiMap(IEnumerable<KeyValuePair<string, IReadOnlyList<string>>> values, bool ignoreCase)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = new Dictionary<string, IReadOnlyList<string>>(ignoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (KeyValuePair<string, IReadOnlyList<string>> pair in values) _values[pair.Key] = pair.Value;
    }

    private KongMultiMap(Dictionary<string, IReadOnlyList<string>> values) => _values = values;

    internal static KongMultiMap Empty(bool ignoreCase) => new([], ignoreCase);

    /// <inheritdoc/>
    public IReadOnlyList<string> this[string key] => _values[key];

    /// <inheritdoc/>
    public IEnumerable<string> Keys => _values.Keys;

    /// <inheritdoc/>
    public IEnumerable<IReadOnlyList<string>> Values => _values.Values;

    /// <inheritdoc/>
    public int Count => _values.Count;

    /// <summary>The first value of <paramref name="name"/>, or null when it is absent (or has no value).</summary>
    public string? GetFirst(string name) => _values.TryGetValue(name, out IReadOnlyList<string>? list) && list.Count > 0 ? list[0] : null;

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out IReadOnlyList<string> value) => _values.TryGetValue(key, out value);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, IReadOnlyList<string>>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Reads Kong's multimap encoding: map of name to array of str (or a single str, or true); an empty
    /// array stands for an empty map.</summary>
    internal static KongMultiMap Read(ref MessagePackReader reader, bool ignoreCase)
    {
        var values = new Dictionary<string, IReadOnlyList<string>>(ignoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        if (!MsgPackRead.TryReadMapHeader(ref reader, out int count))
        {
            throw new MessagePackSerializationException("expected a map of names to values");
        }

        for (int i = 0; i < count; i++)
        {
            string name = MsgPackRead.ReadStringLenient(ref reader) ?? string.Empty;
            IReadOnlyList<string> list;
            switch (reader.NextMessagePackType)
            {
                case MessagePackType.Array:
                    int n = reader.ReadArrayHeader();
                    var items = new List<string>(n);
                    for (int j = 0; j < n; j++)
                    {
                        if (reader.NextMessagePackType == MessagePackType.Boolean)
                        {
                            reader.ReadBoolean(); // a valueless repeat of a query argument
                            continue;
                        }

                        items.Add(MsgPackRead.ReadStringLenient(ref reader) ?? string.Empty);
                    }

                    list = items;
                    break;
                case MessagePackType.Boolean:
                    reader.ReadBoolean();
                    list = [];
                    break;
                case MessagePackType.Map when reader.NextCode == MessagePackCode.MinFixMap:
                    reader.ReadMapHeader();
                    list = [];
                    break;
                default:
                    list = [MsgPackRead.ReadStringLenient(ref reader) ?? string.Empty];
                    break;
            }

            if (values.TryGetValue(name, out IReadOnlyList<string>? existing))
            {
                // Two spellings of one header name under a case-insensitive comparer: keep both lists.
                list = existing.Concat(list).ToList();
            }

            values[name] = list;
        }

        return new KongMultiMap(values);
    }
}
