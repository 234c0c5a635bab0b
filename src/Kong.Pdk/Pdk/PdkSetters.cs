using Kong.Pdk.Server;
using MessagePack;

namespace Kong.Pdk.Pdk;

/// <summary>Calls shared by several modules: setters that return nil, with typed header values.</summary>
internal static class PdkSetters
{
    public static ValueTask NoArgs(KongEvent ev, byte[] method, PdkPhases phases, CancellationToken cancellationToken)
    {
        MessagePackWriter writer = ev.BeginCall(method, 0, phases, cancellationToken);
        return ev.SendIgnoredCallAsync(ref writer);
    }

    public static ValueTask String(KongEvent ev, byte[] method, PdkPhases phases, string value, CancellationToken cancellationToken)
    {
        MessagePackWriter writer = ev.BeginCall(method, 1, phases, cancellationToken);
        writer.Write(value);
        return ev.SendIgnoredCallAsync(ref writer);
    }

    public static ValueTask Int(KongEvent ev, byte[] method, PdkPhases phases, long value, CancellationToken cancellationToken)
    {
        MessagePackWriter writer = ev.BeginCall(method, 1, phases, cancellationToken);
        writer.Write(value);
        return ev.SendIgnoredCallAsync(ref writer);
    }

    public static ValueTask Header(KongEvent ev, byte[] method, PdkPhases phases, string name, string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        MessagePackWriter writer = ev.BeginCall(method, 2, phases, cancellationToken);
        writer.Write(name);
        writer.Write(value);
        return ev.SendIgnoredCallAsync(ref writer);
    }

    public static ValueTask Header(KongEvent ev, byte[] method, PdkPhases phases, string name, long value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        MessagePackWriter writer = ev.BeginCall(method, 2, phases, cancellationToken);
        writer.Write(name);
        writer.Write(value);
        return ev.SendIgnoredCallAsync(ref writer);
    }

    public static ValueTask Header(KongEvent ev, byte[] method, PdkPhases phases, string name, double value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "A header value must be a finite number.");
        MessagePackWriter writer = ev.BeginCall(method, 2, phases, cancellationToken);
        writer.Write(name);
        writer.Write(value);
        return ev.SendIgnoredCallAsync(ref writer);
    }

    public static ValueTask Header(KongEvent ev, byte[] method, PdkPhases phases, string name, bool value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        MessagePackWriter writer = ev.BeginCall(method, 2, phases, cancellationToken);
        writer.Write(name);
        writer.Write(value);
        return ev.SendIgnoredCallAsync(ref writer);
    }

    public static ValueTask Header(KongEvent ev, byte[] method, PdkPhases phases, string name, IReadOnlyList<string> values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(values);
        MessagePackWriter writer = ev.BeginCall(method, 2, phases, cancellationToken);
        writer.Write(name);
        PdkWrite.StringList(ref writer, values, nameof(values));
        return ev.SendIgnoredCallAsync(ref writer);
    }

    public static ValueTask Map(KongEvent ev, byte[] method, PdkPhases phases, IReadOnlyDictionary<string, string> map, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(map);
        MessagePackWriter writer = ev.BeginCall(method, 1, phases, cancellationToken);
        PdkWrite.StringMap(ref writer, map, nameof(map));
        return ev.SendIgnoredCallAsync(ref writer);
    }

    public static ValueTask Map(KongEvent ev, byte[] method, PdkPhases phases, IReadOnlyDictionary<string, IReadOnlyList<string>> map, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(map);
        MessagePackWriter writer = ev.BeginCall(method, 1, phases, cancellationToken);
        PdkWrite.StringListMap(ref writer, map, nameof(map));
        return ev.SendIgnoredCallAsync(ref writer);
    }

    public static ValueTask Value(KongEvent ev, byte[] method, PdkPhases phases, KongValue value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.IsNil) throw new ArgumentException("The value cannot be nil.", nameof(value));
        MessagePackWriter writer = ev.BeginCall(method, 1, phases, cancellationToken);
        value.WriteTo(ref writer);
        return ev.SendIgnoredCallAsync(ref writer);
    }
}
