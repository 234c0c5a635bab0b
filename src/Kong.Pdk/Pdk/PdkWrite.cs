using MessagePack;

namespace Kong.Pdk.Pdk;

/// <summary>Argument encoders shared by the modules. They write straight into the call's writer; concrete
/// <see cref="Dictionary{TKey, TValue}"/> arguments are enumerated without boxing an enumerator.</summary>
internal static class PdkWrite
{
    /// <summary>A map of name → string.</summary>
    public static void StringMap(ref MessagePackWriter writer, IReadOnlyDictionary<string, string> map, string paramName)
    {
        writer.WriteMapHeader(map.Count);
        if (map is Dictionary<string, string> dictionary)
        {
            foreach (KeyValuePair<string, string> pair in dictionary) Entry(ref writer, pair.Key, pair.Value, paramName);
        }
        else
        {
            foreach (KeyValuePair<string, string> pair in map) Entry(ref writer, pair.Key, pair.Value, paramName);
        }
    }

    /// <summary>A map of name → array of strings (a one-element list is still an array; Kong accepts both).</summary>
    public static void StringListMap(ref MessagePackWriter writer, IReadOnlyDictionary<string, IReadOnlyList<string>> map, string paramName)
    {
        writer.WriteMapHeader(map.Count);
        if (map is Dictionary<string, IReadOnlyList<string>> dictionary)
        {
            foreach (KeyValuePair<string, IReadOnlyList<string>> pair in dictionary) Entry(ref writer, pair.Key, pair.Value, paramName);
        }
        else
        {
            foreach (KeyValuePair<string, IReadOnlyList<string>> pair in map) Entry(ref writer, pair.Key, pair.Value, paramName);
        }
    }

    public static void StringList(ref MessagePackWriter writer, IReadOnlyList<string> values, string paramName)
    {
        writer.WriteArrayHeader(values.Count);
        for (int i = 0; i < values.Count; i++)
        {
            if (values[i] is null) throw new ArgumentException("A header or query value list cannot contain null.", paramName);
            writer.Write(values[i]);
        }
    }

    private static void Entry(ref MessagePackWriter writer, string key, string value, string paramName)
    {
        if (key is null || value is null) throw new ArgumentException("Names and values cannot be null.", paramName);
        writer.Write(key);
        writer.Write(value);
    }

    private static void Entry(ref MessagePackWriter writer, string key, IReadOnlyList<string> values, string paramName)
    {
        if (key is null || values is null) throw new ArgumentException("Names and value lists cannot be null.", paramName);
        writer.Write(key);
        StringList(ref writer, values, paramName);
    }

    /// <summary>
    /// The number of arguments to send: trailing nils are dropped, and a nil before a non-nil argument is refused,
    /// because Kong would compute the wrong Lua length for <c>Args</c> and lose the later arguments
    /// (kong-protocol.md §3.3).
    /// </summary>
    public static int CountArgs(ReadOnlySpan<KongValue> args, string method, string paramName)
    {
        int count = args.Length;
        while (count > 0 && (args[count - 1] is null || args[count - 1].IsNil)) count--;
        for (int i = 0; i < count; i++)
        {
            if (args[i] is null || args[i].IsNil)
            {
                throw new ArgumentException(
                    $"Argument {i + 1} of {method} is nil but a later argument is not: Kong would unpack Args with the wrong length and lose the arguments after the nil (kong-protocol.md §3.3). Pass a value, or drop the later arguments.",
                    paramName);
            }
        }

        return count;
    }
}
