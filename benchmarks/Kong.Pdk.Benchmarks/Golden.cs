using System.Buffers;

namespace Kong.Pdk.Benchmarks;

/// <summary>Golden messages from kong-protocol.md §4.11, as Kong's packer writes them.</summary>
internal static class Golden
{
    /// <summary><c>[0, 2, "plugin.HandleEvent", [{InstanceId: 7, EventName: "access"}]]</c>.</summary>
    public static readonly byte[] HandleEvent = Hex(
        "94 00 02 B2" + Ascii("plugin.HandleEvent") + "91 82 AA" + Ascii("InstanceId") + "07 A9" + Ascii("EventName") + "A6" + Ascii("access"));

    /// <summary><c>[0, 3, "plugin.Step", [{EventId: 1, Data: "example.com"}]]</c>.</summary>
    public static readonly byte[] StepWithData = Hex(
        "94 00 03 AB" + Ascii("plugin.Step") + "91 82 A7" + Ascii("EventId") + "01 A4" + Ascii("Data") + "AB" + Ascii("example.com"));

    /// <summary><c>[0, 4, "plugin.Step", [{EventId: 1}]]</c> (set_header returned nil).</summary>
    public static readonly byte[] StepNoData = Hex("94 00 04 AB" + Ascii("plugin.Step") + "91 81 A7" + Ascii("EventId") + "01");

    /// <summary><c>[0, 1, "plugin.StartInstance", [{Name: "my-plugin", Config: "{...}"}]]</c>.</summary>
    public static readonly byte[] StartInstance = Hex(
        "94 00 01 B4" + Ascii("plugin.StartInstance") + "91 82 A4" + Ascii("Name") + "A9" + Ascii("my-plugin")
        + "A6" + Ascii("Config") + "BC" + Ascii("{\"message\":\"hi\",\"__seq__\":7}"));

    /// <summary>Our answer with a call: <c>[1, 3, nil, {EventId: 1, Data: {Method: "kong.response.set_header", Args: [...]}}]</c>.</summary>
    public static readonly byte[] StepAnswerCall = Hex(
        "94 01 03 C0 82 A7" + Ascii("EventId") + "01 A4" + Ascii("Data") + "82 A6" + Ascii("Method") + "B8" + Ascii("kong.response.set_header")
        + "A4" + Ascii("Args") + "92 A7" + Ascii("x-hello") + "AE" + Ascii("hi example.com"));

    public static ReadOnlySequence<byte> Seq(byte[] bytes) => new(bytes);

    private static string Ascii(string s) => " " + string.Join(" ", s.Select(c => ((int)c).ToString("X2"))) + " ";

    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));
}
