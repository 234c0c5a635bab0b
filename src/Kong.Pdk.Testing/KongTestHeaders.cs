using System.Collections;

namespace Kong.Pdk.Testing;

/// <summary>
/// An ordered list of HTTP headers with repeated names allowed. Names compare case-insensitively, and, as in
/// nginx's <c>http_*</c> variables that Kong reads, <c>_</c> matches <c>-</c> in lookups.
/// </summary>
public sealed class KongTestHeaders : IEnumerable<KeyValuePair<string, string>>
{
    private readonly List<KeyValuePair<string, string>> _items = [];

    /// <summary>Creates an empty list.</summary>
    public KongTestHeaders() { }

    /// <summary>Creates a copy of <paramref name="other"/>.</summary>
    public KongTestHeaders(IEnumerable<KeyValuePair<string, string>> other) => _items.AddRange(other);

    /// <summary>Number of header lines.</summary>
    public int Count => _items.Count;

    /// <summary>The first value of <paramref name="name"/>, or null.</summary>
    public string? this[string name] => Get(name);

    /// <summary>The first value of <paramref name="name"/>, or null.</summary>
    public string? Get(string name)
    {
        foreach (KeyValuePair<string, string> item in _items)
        {
            if (NameEquals(item.Key, name)) return item.Value;
        }

        return null;
    }

    /// <summary>Every value of <paramref name="name"/>, in order.</summary>
    public IReadOnlyList<string> GetAll(string name)
    {
        var values = new List<string>();
        foreach (KeyValuePair<string, string> item in _items)
        {
            if (NameEquals(item.Key, name)) values.Add(item.Value);
        }

        return values;
    }

    /// <summary>True when at least one line has <paramref name="name"/>.</summary>
    public bool Contains(string name) => Get(name) is not null;

    /// <summary>Appends a line.</summary>
    public KongTestHeaders Add(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        _items.Add(new(name, value));
        return this;
    }

    /// <summary>Replaces every line of <paramref name="name"/> with one line per value (none removes it). The
    /// replacement takes the place of the first removed line.</summary>
    public KongTestHeaders Set(string name, params string[] values)
    {
        int index = _items.FindIndex(item => NameEquals(item.Key, name));
        Remove(name);
        if (index < 0 || index > _items.Count) index = _items.Count;
        _items.InsertRange(index, values.Select(v => new KeyValuePair<string, string>(name, v)));
        return this;
    }

    /// <summary>Removes every line of <paramref name="name"/>.</summary>
    public bool Remove(string name) => _items.RemoveAll(item => NameEquals(item.Key, name)) > 0;

    /// <summary>Removes every line.</summary>
    public void Clear() => _items.Clear();

    /// <summary>Distinct names (first spelling), in order of first appearance.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            var names = new List<string>();
            foreach (KeyValuePair<string, string> item in _items)
            {
                if (!names.Exists(n => NameEquals(n, item.Key))) names.Add(item.Key);
            }

            return names;
        }
    }

    /// <summary>Kong's <c>get_headers</c> shape: lower-case name to every value, at most <paramref name="max"/> lines.</summary>
    internal KongMultiMapValue ToMultiMap(int max)
    {
        var map = new KongMultiMapValue();
        int taken = 0;
        foreach (KeyValuePair<string, string> item in _items)
        {
            if (taken++ >= max) break;
            map.Add(item.Key.ToLowerInvariant(), item.Value);
        }

        return map;
    }

    /// <summary>Header name comparison: case-insensitive, <c>_</c> equals <c>-</c>.</summary>
    public static bool NameEquals(string a, string b)
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++)
        {
            char x = char.ToLowerInvariant(a[i] == '_' ? '-' : a[i]);
            char y = char.ToLowerInvariant(b[i] == '_' ? '-' : b[i]);
            if (x != y) return false;
        }

        return true;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => string.Join("\n", _items.Select(i => i.Key + ": " + i.Value));
}
