// Plays Kong against a running plugin server for one request, the way Kong 3.x does (kong-protocol.md §3-§4):
// a new connection per call, the serverPid notification first on each, StartInstance, HandleEvent(access), a Step
// per PDK call, until "ret". Prints every message decoded.
using System.Buffers;
using System.Net.Sockets;
using System.Text;
using MessagePack;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: SampleExchange <socket path>");
    return 2;
}

string socketPath = args[0];
long msgId = 0;
for (int attempt = 0; !File.Exists(socketPath); attempt++)
{
    if (attempt > 200) { Console.Error.WriteLine("the plugin did not create " + socketPath); return 1; }
    await Task.Delay(50);
}

var started = (Dictionary<string, object?>)(await CallAsync("plugin.StartInstance",
    new Dictionary<string, object?> { ["Name"] = "hello-dotnet", ["Config"] = """{"message":"hi","__seq__":7}""" }))!;
long instanceId = (long)started["Id"]!;
var reply = (Dictionary<string, object?>)(await CallAsync("plugin.HandleEvent",
    new Dictionary<string, object?> { ["InstanceId"] = instanceId, ["EventName"] = "access" }))!;
long eventId = (long)reply["EventId"]!;
while (reply["Data"] is Dictionary<string, object?> call)
{
    // Kong runs the PDK function; here: get_header("host") → "example.com", everything else → nil.
    var step = new Dictionary<string, object?> { ["EventId"] = eventId };
    if ((string?)call["Method"] == "kong.request.get_header") step["Data"] = "example.com";
    reply = (Dictionary<string, object?>)(await CallAsync("plugin.Step", step))!;
}

Console.WriteLine($"event {eventId} ended with Data = {Show(reply["Data"])}");
return 0;

async Task<object?> CallAsync(string method, Dictionary<string, object?> param)
{
    using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), timeout.Token);
    var incoming = new Incoming(socket);
    object?[] notification = (object?[])(await incoming.ReadAsync(timeout.Token))!;
    Console.WriteLine($"<- {Show(notification)}");
    object?[] request = [0L, ++msgId, method, new object?[] { param }];
    Console.WriteLine($"-> {Show(request)}");
    await socket.SendAsync(Encode(request), SocketFlags.None, timeout.Token);
    object?[] response = (object?[])(await incoming.ReadAsync(timeout.Token))!;
    Console.WriteLine($"<- {Show(response)}");
    if (response[2] is string error) throw new InvalidOperationException(error);
    return response[3];
}

static byte[] Encode(object? value)
{
    var buffer = new ArrayBufferWriter<byte>();
    var writer = new MessagePackWriter(buffer);
    Write(ref writer, value);
    writer.Flush();
    return buffer.WrittenSpan.ToArray();

    static void Write(ref MessagePackWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNil(); break;
            case long l: writer.Write(l); break;
            case string s: writer.Write(s); break;
            case object?[] array:
                writer.WriteArrayHeader(array.Length);
                foreach (object? item in array) Write(ref writer, item);
                break;
            case Dictionary<string, object?> map:
                writer.WriteMapHeader(map.Count);
                foreach (var pair in map) { writer.Write(pair.Key); Write(ref writer, pair.Value); }
                break;
        }
    }
}

static string Show(object? value) => value switch
{
    null => "nil",
    string s => "\"" + s + "\"",
    object?[] array => "[" + string.Join(", ", array.Select(Show)) + "]",
    Dictionary<string, object?> map => "{" + string.Join(", ", map.Select(p => p.Key + ": " + Show(p.Value))) + "}",
    _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
};

/// <summary>Reads whole MessagePack values from a socket, however the bytes are split.</summary>
sealed class Incoming(Socket socket)
{
    private byte[] _buffer = new byte[4096];
    private int _count;

    public async Task<object?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryDecode(out object? value)) return value;
            if (_count == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            int read = await socket.ReceiveAsync(_buffer.AsMemory(_count), SocketFlags.None, cancellationToken);
            if (read == 0) throw new EndOfStreamException("the plugin closed the connection");
            _count += read;
        }
    }

    private bool TryDecode(out object? value)
    {
        var reader = new MessagePackReader(new ReadOnlyMemory<byte>(_buffer, 0, _count));
        try
        {
            value = Read(ref reader);
        }
        catch (EndOfStreamException)
        {
            value = null;
            return false;
        }

        int used = (int)reader.Consumed;
        Buffer.BlockCopy(_buffer, used, _buffer, 0, _count - used);
        _count -= used;
        return true;
    }

    private static object? Read(ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil: reader.ReadNil(); return null;
            case MessagePackType.Integer: return reader.ReadInt64();
            case MessagePackType.Boolean: return reader.ReadBoolean();
            case MessagePackType.String: return Encoding.UTF8.GetString(reader.ReadStringSequence()!.Value.ToArray());
            case MessagePackType.Binary: return Convert.ToHexString(reader.ReadBytes()!.Value.ToArray());
            case MessagePackType.Array:
                var array = new object?[reader.ReadArrayHeader()];
                for (int i = 0; i < array.Length; i++) array[i] = Read(ref reader);
                return array;
            case MessagePackType.Map:
                int count = reader.ReadMapHeader();
                var map = new Dictionary<string, object?>();
                for (int i = 0; i < count; i++) map[Convert.ToString(Read(ref reader), System.Globalization.CultureInfo.InvariantCulture) ?? ""] = Read(ref reader);
                return map;
            default: reader.Skip(); return "?";
        }
    }
}
