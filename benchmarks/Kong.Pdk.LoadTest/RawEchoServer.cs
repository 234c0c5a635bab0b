using System.Buffers;
using System.Net.Sockets;
using Kong.Pdk.Protocol;
using MessagePack;

namespace Kong.Pdk.LoadTest;

/// <summary>
/// The floor: a Unix-socket server that answers each MsgPack:1 request frame with a precomputed answer of the same
/// shape and size as the real server's (serverPid on accept, the same StartInstance result, the same
/// get_header/set_header calls and "ret"), with no PDK logic: no instances, no handler, no awaits. It reads only
/// what it must echo: the msgid, the method name and the EventId. The only state is a step counter per event id
/// (a fixed ring), because Kong may send an event's steps on any connection.
/// </summary>
internal sealed class RawEchoServer
{
    private const int Ring = 1 << 16;
    private readonly string _path;
    private readonly Workload _workload;
    private readonly int[] _stepByEvent = new int[Ring];
    private readonly byte[] _getHeaderCall;
    private readonly byte[] _setHeaderCall;
    private readonly byte[] _startResult;
    private int _nextEventId = 100_000; // five-digit ids, as a busy real server hands out

    public RawEchoServer(string path, Workload workload)
    {
        _path = path;
        _workload = workload;
        _getHeaderCall = Encode((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(2);
            w.WriteString("Method"u8);
            w.WriteString(Workload.GetHeaderMethod);
            w.WriteString("Args"u8);
            w.WriteArrayHeader(1);
            w.WriteString(Workload.HeaderName);
        });
        _setHeaderCall = Encode((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(2);
            w.WriteString("Method"u8);
            w.WriteString(Workload.SetHeaderMethod);
            w.WriteString("Args"u8);
            w.WriteArrayHeader(2);
            w.WriteString(Workload.ResponseHeaderName);
            w.WriteString(workload.ExpectedHeaderValueUtf8);
        });
        _startResult = Encode((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(3);
            w.WriteString("Name"u8);
            w.Write(workload.Plugin);
            w.WriteString("Id"u8);
            w.Write(7);
            w.WriteString("StartTime"u8);
            w.Write(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        });
    }


    private delegate void Body(ref MessagePackWriter writer);

    private static byte[] Encode(Body body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        body(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public int Run(CancellationToken stop)
    {
        if (File.Exists(_path)) File.Delete(_path);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(_path));
        listener.Listen(4096);
        using CancellationTokenRegistration reg = stop.Register(() => listener.Dispose());
        Console.Error.WriteLine($"raw echo server listening on {_path} (pid {Environment.ProcessId}; {_workload.Calls} calls/event, payload {_workload.PayloadSize} B)");
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = listener.Accept();
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                break;
            }

            var thread = new Thread(() => Serve(client)) { IsBackground = true, Name = "raw-echo" };
            thread.Start();
        }

        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
        }

        return 0;
    }

    private void Serve(Socket socket)
    {
        byte[] input = new byte[64 * 1024];
        var output = new ArrayBufferWriter<byte>(4096);
        int start = 0, end = 0;
        try
        {
            var pid = new MessagePackWriter(output);
            pid.WriteArrayHeader(3);
            pid.Write(2);
            pid.WriteString("serverPid"u8);
            pid.Write(Environment.ProcessId);
            pid.Flush();
            socket.Send(output.WrittenSpan);
            while (true)
            {
                if (end == input.Length)
                {
                    Buffer.BlockCopy(input, start, input, 0, end - start);
                    end -= start;
                    start = 0;
                    if (end == input.Length) Array.Resize(ref input, input.Length * 2);
                }

                int read = socket.Receive(input, end, input.Length - end, SocketFlags.None);
                if (read == 0) return;
                end += read;
                while (true)
                {
                    var sequence = new ReadOnlySequence<byte>(input, start, end - start);
                    if (RpcFramer.TryFindMessage(sequence, 16 * 1024 * 1024, 64, out long length) != FrameStatus.Complete) break;
                    output.ResetWrittenCount();
                    Answer(new ReadOnlyMemory<byte>(input, start, (int)length), output);
                    socket.Send(output.WrittenSpan);
                    start += (int)length;
                }

                if (start == end) start = end = 0;
            }
        }
        catch (SocketException)
        {
        }
        finally
        {
            socket.Dispose();
        }
    }

    private void Answer(ReadOnlyMemory<byte> request, ArrayBufferWriter<byte> output)
    {
        var r = new MessagePackReader(request);
        r.ReadArrayHeader();
        r.ReadInt64();
        long msgId = r.ReadInt64();
        ReadOnlySpan<byte> method = r.ReadStringSequence()!.Value.FirstSpan;
        var w = new MessagePackWriter(output);
        w.WriteArrayHeader(4);
        w.Write(1);
        w.Write(msgId);
        w.WriteNil();
        if (method.SequenceEqual("plugin.HandleEvent"u8))
        {
            int eventId = Interlocked.Increment(ref _nextEventId);
            Volatile.Write(ref _stepByEvent[eventId & (Ring - 1)], 0);
            WriteEventAnswer(ref w, eventId, 0);
        }
        else if (method.StartsWith("plugin.Step"u8))
        {
            // [{"EventId": id, ...}]: Kong's key order varies; find EventId.
            r.ReadArrayHeader();
            int keys = r.ReadMapHeader();
            int eventId = 0;
            for (int i = 0; i < keys; i++)
            {
                if (r.ReadStringSequence()!.Value.FirstSpan.SequenceEqual("EventId"u8)) eventId = r.ReadInt32();
                else r.Skip();
            }

            int step = Interlocked.Increment(ref _stepByEvent[eventId & (Ring - 1)]);
            WriteEventAnswer(ref w, eventId, step);
        }
        else if (method.SequenceEqual("plugin.StartInstance"u8))
        {
            w.WriteRaw(_startResult);
        }
        else
        {
            // CloseInstance and the rest: a small map, like the real server's CloseInstance result.
            w.WriteMapHeader(0);
        }

        w.Flush();
    }

    private void WriteEventAnswer(ref MessagePackWriter w, int eventId, int step)
    {
        w.WriteMapHeader(2);
        w.WriteString("EventId"u8);
        w.Write(eventId);
        w.WriteString("Data"u8);
        if (step < _workload.Calls - 1) w.WriteRaw(_getHeaderCall);
        else if (step == _workload.Calls - 1) w.WriteRaw(_setHeaderCall);
        else w.WriteString("ret"u8);
    }
}
