using System.Text;

namespace Kong.Pdk.LoadTest;

/// <summary>
/// What one simulated request does, and the answers the client expects. An access handler makes
/// <see cref="Calls"/> PDK calls: <c>Calls - 1</c> times <c>kong.request.get_header("host")</c>, answered with a
/// host value of <see cref="PayloadSize"/> bytes, then <c>kong.response.set_header("x-hello-from-dotnet",
/// "Dotnet says &lt;message&gt; to &lt;host&gt;")</c>, answered with a Step without Data; then <c>"ret"</c>.
/// With the default <c>Calls = 2</c> this is HelloPlugin exactly (3 round trips per event).
/// </summary>
internal sealed class Workload
{
    public Workload(string plugin, string message, int calls, int payloadSize, string? configJson)
    {
        Plugin = plugin;
        Message = message;
        Calls = calls;
        PayloadSize = payloadSize;
        Host = MakeHost(payloadSize);
        HostUtf8 = Encoding.UTF8.GetBytes(Host);
        ExpectedHeaderValueUtf8 = Encoding.UTF8.GetBytes($"Dotnet says {message} to {Host}");
        ConfigJson = configJson ?? $$"""{"message":"{{message}}","calls":{{calls}},"__seq__":7}""";
    }

    public string Plugin { get; }

    public string Message { get; }

    public int Calls { get; }

    public int PayloadSize { get; }

    public string Host { get; }

    public byte[] HostUtf8 { get; }

    public byte[] ExpectedHeaderValueUtf8 { get; }

    public string ConfigJson { get; }

    public static ReadOnlySpan<byte> GetHeaderMethod => "kong.request.get_header"u8;

    public static ReadOnlySpan<byte> SetHeaderMethod => "kong.response.set_header"u8;

    public static ReadOnlySpan<byte> HeaderName => "host"u8;

    public static ReadOnlySpan<byte> ResponseHeaderName => "x-hello-from-dotnet"u8;

    /// <summary>A deterministic ASCII host value of <paramref name="size"/> bytes ("example.com" when 11).</summary>
    private static string MakeHost(int size)
    {
        const string seed = "example.com";
        if (size == seed.Length) return seed;
        var sb = new StringBuilder(size);
        for (int i = 0; i < size; i++) sb.Append((char)('a' + i % 26));
        return sb.ToString();
    }
}
