using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Kong.Pdk.Hosting;
using Kong.Pdk.Server;
using MessagePack;

namespace Kong.Pdk.Tests.Pdk;

/// <summary>One plugin server for the test assembly, on a temp Unix socket, whose plugin runs per-test lambdas.</summary>
internal sealed class PdkTestServer
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly Lazy<PdkTestServer> Lazy = new(() => new PdkTestServer());
    private readonly ConcurrentDictionary<int, Func<IKong, CancellationToken, ValueTask>> _handlers = new();
    private int _nextKey;

    private PdkTestServer()
    {
        string dir = Path.Combine(Path.GetTempPath(), "kpdk-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        SocketPath = Path.Combine(dir, "p.sock");
        var server = new PluginServer([new Descriptor(this)], new KongServerOptions(), new ServerLog("test", KongLogLevel.None));
        Socket listener = server.Bind(SocketPath);
        _ = server.RunAsync(listener, SocketPath, CancellationToken.None);
    }

    public static PdkTestServer Shared => Lazy.Value;

    public string SocketPath { get; }

    public int Register(Func<IKong, CancellationToken, ValueTask> handler)
    {
        int key = Interlocked.Increment(ref _nextKey);
        _handlers[key] = handler;
        return key;
    }

    private sealed class Descriptor(PdkTestServer owner) : KongPluginDescriptor
    {
        public override string Name => "pdk-test";

        public override string Version => "1.0.0";

        public override int Priority => 1;

        public override IReadOnlyList<KongPhase> Phases { get; } =
            [KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log];

        public override string SchemaJson => "{\"name\":\"pdk-test\",\"fields\":[{\"config\":{\"type\":\"record\",\"fields\":[]}}]}";

        public override IKongPluginInstance CreateInstance(ReadOnlySpan<byte> configJson)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(configJson.ToArray());
            int key = doc.RootElement.GetProperty("key").GetInt32();
            return new Instance(owner._handlers[key]);
        }
    }

    private sealed class Instance(Func<IKong, CancellationToken, ValueTask> handler) : IKongPluginInstance
    {
        public ValueTask InvokeAsync(KongPhase phase, IKong kong, CancellationToken cancellationToken) => handler(kong, cancellationToken);
    }
}

/// <summary>What the server answered to HandleEvent or Step: "ret", a PDK call, or an RPC error.</summary>
internal sealed record Answer(bool IsRet, string? Method, string? ArgsHex, string? Error)
{
    public override string ToString() => IsRet ? "ret" : Error is not null ? "error " + Error : $"{Method} {ArgsHex}";
}

/// <summary>A tiny fake Kong driving one event over a real socket.</summary>
internal sealed class FakeEvent : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly MessagePackStreamReader _reader;
    private readonly TaskCompletionSource<Exception?> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _msgId;
    private long _eventId;

    private FakeEvent(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new MessagePackStreamReader(_stream);
    }

    public Answer Current { get; private set; } = new(false, null, null, null);

    /// <summary>Completes when the handler returned (null) or threw (the exception).</summary>
    public Task<Exception?> Outcome => _outcome.Task;

    public static async Task<FakeEvent> StartAsync(KongPhase phase, Func<IKong, CancellationToken, ValueTask> handler)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(PdkTestServer.Shared.SocketPath)).WaitAsync(PdkTestServer.Timeout);
        var ev = new FakeEvent(socket);
        int key = PdkTestServer.Shared.Register(async (kong, ct) =>
        {
            try
            {
                await handler(kong, ct);
                ev._outcome.TrySetResult(null);
            }
            catch (Exception ex)
            {
                ev._outcome.TrySetResult(ex);
                throw;
            }
        });
        byte[] pid = await ev.ReadAsync();
        Assert.Equal(0x93, pid[0]);

        long instanceId = await ev.StartInstanceAsync(key);
        ev.Send("plugin.HandleEvent", w =>
        {
            w.WriteMapHeader(2);
            w.Write("InstanceId");
            w.Write(instanceId);
            w.Write("EventName");
            w.Write(phase.ToString().ToLowerInvariant());
        });
        ev.Current = ev.ParseAnswer(await ev.ReadAsync());
        return ev;
    }

    /// <summary>Sends the step for the current call: <paramref name="dataHex"/> null means no Data key.</summary>
    public async Task<Answer> StepAsync(string? dataHex, string stepMethod = "plugin.Step")
    {
        byte[]? data = dataHex is null ? null : Convert.FromHexString(Hex.Clean(dataHex));
        Send(stepMethod, w =>
        {
            w.WriteMapHeader(data is null ? 1 : 2);
            w.Write("EventId");
            w.Write(_eventId);
            if (data is not null)
            {
                w.Write("Data");
                w.WriteRaw(data);
            }
        });
        Current = ParseAnswer(await ReadAsync());
        return Current;
    }

    private async Task<long> StartInstanceAsync(int key)
    {
        Send("plugin.StartInstance", w =>
        {
            w.WriteMapHeader(2);
            w.Write("Name");
            w.Write("pdk-test");
            w.Write("Config");
            w.Write("{\"key\":" + key + "}");
        });
        byte[] reply = await ReadAsync();
        var r = new MessagePackReader(reply);
        r.ReadArrayHeader();
        r.ReadInt32();
        r.ReadInt64();
        Assert.True(r.TryReadNil(), "StartInstance failed");
        int n = r.ReadMapHeader();
        long id = -1;
        for (int i = 0; i < n; i++)
        {
            string k = r.ReadString()!;
            if (k == "Id") id = r.ReadInt64();
            else r.Skip();
        }

        return id;
    }

    private void Send(string method, Action<MessagePackWriterBox> writeParam)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(4);
        writer.Write(0);
        writer.Write(++_msgId);
        writer.Write(method);
        writer.WriteArrayHeader(1);
        writer.Flush();
        var box = new MessagePackWriterBox(buffer);
        writeParam(box);
        box.Flush();
        _stream.Write(buffer.WrittenSpan);
    }

    private async Task<byte[]> ReadAsync()
    {
        using var cts = new CancellationTokenSource(PdkTestServer.Timeout);
        ReadOnlySequence<byte>? message = await _reader.ReadAsync(cts.Token);
        Assert.True(message.HasValue, "the server closed the connection");
        return message.Value.ToArray();
    }

    private Answer ParseAnswer(byte[] bytes)
    {
        var r = new MessagePackReader(bytes);
        Assert.Equal(4, r.ReadArrayHeader());
        Assert.Equal(1, r.ReadInt32());
        Assert.Equal(_msgId, r.ReadInt64());
        if (!r.TryReadNil()) return new Answer(false, null, null, r.ReadString());
        int n = r.ReadMapHeader();
        Answer? answer = null;
        for (int i = 0; i < n; i++)
        {
            string key = r.ReadString()!;
            if (key == "EventId")
            {
                _eventId = r.ReadInt64();
            }
            else if (key == "Data")
            {
                if (r.NextMessagePackType == MessagePackType.String)
                {
                    Assert.Equal("ret", r.ReadString());
                    answer = new Answer(true, null, null, null);
                    continue;
                }

                int m = r.ReadMapHeader();
                string? method = null, args = null;
                for (int j = 0; j < m; j++)
                {
                    string k = r.ReadString()!;
                    if (k == "Method")
                    {
                        method = r.ReadString();
                    }
                    else if (k == "Args")
                    {
                        long start = r.Consumed;
                        r.Skip();
                        args = Convert.ToHexString(bytes, (int)start, (int)(r.Consumed - start)).ToLowerInvariant();
                    }
                    else
                    {
                        r.Skip();
                    }
                }

                answer = new Answer(false, method, args, null);
            }
            else
            {
                r.Skip();
            }
        }

        return answer ?? throw new InvalidOperationException("no Data in the answer");
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
    }
}

/// <summary>A heap wrapper so that lambdas can write the parameter (MessagePackWriter is a ref struct): each
/// write appends to the buffer at once.</summary>
internal sealed class MessagePackWriterBox(IBufferWriter<byte> output)
{
    public void WriteMapHeader(int n)
    {
        var w = new MessagePackWriter(output);
        w.WriteMapHeader(n);
        w.Flush();
    }

    public void Write(string s)
    {
        var w = new MessagePackWriter(output);
        w.Write(s);
        w.Flush();
    }

    public void Write(long v)
    {
        var w = new MessagePackWriter(output);
        w.Write(v);
        w.Flush();
    }

    public void WriteRaw(byte[] raw)
    {
        var w = new MessagePackWriter(output);
        w.WriteRaw(raw);
        w.Flush();
    }

    public void Flush()
    {
    }
}

internal static class Hex
{
    public static string Clean(string hex) => hex.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
}
