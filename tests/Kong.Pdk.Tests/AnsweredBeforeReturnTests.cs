using System.Buffers;
using System.Net.Sockets;
using Kong.Pdk.Hosting;
using Kong.Pdk.Pdk;
using Kong.Pdk.Protocol;
using Kong.Pdk.Server;
using MessagePack;

namespace Kong.Pdk.Tests;

/// <summary>
/// Kong's step can arrive before the PDK call that asked for it has returned to the handler (another thread reads
/// it while the sending thread is still in the call). The call then decodes the answer at once, with the same
/// decoder as an answer that comes later, and returns a completed task, or a faulted one for Kong's error. Here the
/// connection plays the step as it sends the call, so every call takes that path.
/// </summary>
public sealed class AnsweredBeforeReturnTests
{
    [Fact]
    public void EveryResultKind_AnsweredBeforeTheCallReturns_IsDecodedAtOnce()
    {
        var completedAtReturn = new List<bool>();
        var values = new List<object?>();
        Exception? stepError = null;
        var plugin = new TestPlugin("answered-before-return").On(KongPhase.Access, async (kong, ct) =>
        {
            ValueTask<T> Note<T>(ValueTask<T> call)
            {
                completedAtReturn.Add(call.IsCompleted);
                return call;
            }

            values.Add(await Note(kong.Ip.IsTrustedAsync("10.0.0.1", ct)));
            values.Add(await Note(kong.Client.GetPortAsync(ct)));
            values.Add(await Note(kong.Request.GetStartTimeAsync(ct)));
            values.Add((await Note(kong.CallAsync("kong.request.get_body")))["answer"].AsInt64());
            values.Add((await Note(kong.Request.GetHeadersAsync(ct))).GetFirst("Host"));
            values.Add((await Note(kong.Client.GetConsumerAsync(ct)))?.Username);
            values.Add(await Note(kong.Request.GetPathAsync(ct)));
            ValueTask ignored = kong.Response.SetHeaderAsync("x-answered", "early", ct);
            completedAtReturn.Add(ignored.IsCompleted);
            await ignored;
            ValueTask<int> failing = kong.Request.GetPortAsync(ct);
            completedAtReturn.Add(failing.IsFaulted);
            try
            {
                await failing;
            }
            catch (KongPdkException ex)
            {
                stepError = ex;
            }
        });
        var server = new PluginServer([plugin], new KongServerOptions(), new ServerLog("answered-before-return", KongLogLevel.None));
        var instance = new PluginInstance(7, plugin, plugin.CreateInstance("{}"u8), 0);
        EventCore ev = server.Events.Rent(server);
        var connection = new AnsweringConnection(server, ev,
        [
            (PdkResultKind.Value, Encode(static (ref MessagePackWriter w) => w.Write(true))),
            (PdkResultKind.Value, Encode(static (ref MessagePackWriter w) => w.Write(8443))),
            (PdkResultKind.Value, Encode(static (ref MessagePackWriter w) => w.Write(1.5))),
            (PdkResultKind.Value, Encode(static (ref MessagePackWriter w) =>
            {
                w.WriteMapHeader(1);
                w.Write("answer");
                w.Write(42);
            })),
            (PdkResultKind.Value, Encode(static (ref MessagePackWriter w) =>
            {
                w.WriteMapHeader(1);
                w.Write("host");
                w.Write("example.com");
            })),
            (PdkResultKind.Value, Encode(static (ref MessagePackWriter w) =>
            {
                w.WriteMapHeader(1);
                w.Write("username");
                w.Write("alice");
            })),
            (PdkResultKind.Nil, default), // get_path: nil reads as ""
            (PdkResultKind.Nil, default), // set_header
            (PdkResultKind.Error, Encode(static (ref MessagePackWriter w) => w.Write("no port here"))),
        ]);
        Assert.True(instance.TryBeginEvent());
        ev.Reset(instance, KongPhase.Access);
        server.Events.Add(ev);

        ev.Start(connection, 1);

        Assert.Equal([true, 8443, 1.5, 42L, "example.com", "alice", ""], values);
        Assert.Equal(Enumerable.Repeat(true, 9), completedAtReturn);
        KongPdkException error = Assert.IsType<KongPdkException>(stepError);
        Assert.Equal("kong.request.get_port", error.Method);
        Assert.Contains("no port here", error.Message, StringComparison.Ordinal);
        Assert.Equal(9 + 1, connection.Replies); // every call, then "ret"
        Assert.True(ev.IsFinished);
    }

    [Fact]
    public async Task AnAnswerIsReadOnce_ATaskAwaitedTwiceOrReadAfterTheHandler_Throws()
    {
        // Kong's answer lies in the event's receive buffer, which the next call reuses and the event's end returns to
        // the pool: a task read a second time must throw, never decode those bytes again (another event's, by then).
        string? first = null;
        Exception? second = null;
        ValueTask<string> kept = default;
        var plugin = new TestPlugin("read-once").On(KongPhase.Access, async (kong, ct) =>
        {
            ValueTask<string> path = kong.Request.GetPathAsync(ct);
            first = await path;
            try
            {
                await path;
            }
            catch (InvalidOperationException ex)
            {
                second = ex;
            }

            kept = kong.Request.GetHostAsync(ct);
            await kept;
        });
        var server = new PluginServer([plugin], new KongServerOptions(), new ServerLog("read-once", KongLogLevel.None));
        var instance = new PluginInstance(7, plugin, plugin.CreateInstance("{}"u8), 0);
        EventCore ev = server.Events.Rent(server);
        var connection = new AnsweringConnection(server, ev, [], answer: false);
        Assert.True(instance.TryBeginEvent());
        ev.Reset(instance, KongPhase.Access);
        server.Events.Add(ev);

        // Off xunit's synchronization context, so the handler resumes inline in each Resume, as on a server thread.
        await Task.Run(() =>
        {
            ev.Start(connection, 1); // the handler waits for get_path's answer
            Assert.True(ev.Resume(ev.Id, connection, 2, PdkResultKind.Value, Encode(static (ref MessagePackWriter w) => w.Write("/a"))));
            Assert.True(ev.Resume(ev.Id, connection, 3, PdkResultKind.Value, Encode(static (ref MessagePackWriter w) => w.Write("example.com"))));
        });

        Assert.Equal("/a", first);
        Assert.Contains("already read", Assert.IsType<InvalidOperationException>(second).Message, StringComparison.Ordinal);
        Assert.True(ev.IsFinished);
        InvalidOperationException afterwards = Assert.Throws<InvalidOperationException>(() => kept.GetAwaiter().GetResult());
        Assert.Contains("already read", afterwards.Message, StringComparison.Ordinal);
    }

    private delegate void Writer(ref MessagePackWriter writer);

    private static ReadOnlySequence<byte> Encode(Writer write)
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(output);
        write(ref writer);
        writer.Flush();
        return new ReadOnlySequence<byte>(output.WrittenMemory);
    }

    /// <summary>Answers each call of <paramref name="ev"/> as it is sent, with the next of <paramref name="answers"/> (unless
    /// <paramref name="answer"/> is false: the test answers).</summary>
    private sealed class AnsweringConnection(PluginServer server, EventCore ev, (PdkResultKind Kind, ReadOnlySequence<byte> Data)[] answers, bool answer = true)
        : PluginConnection(1, new RpcFramer(server.Options.MaxMessageSize, server.Options.MaxNestingDepth))
    {
        private readonly PooledBufferWriter _output = new();
        private int _next;

        public int Replies { get; private set; }

        internal override Socket Socket => throw new NotSupportedException();

        public override IBufferWriter<byte> Output => _output;

        public override Task RunAsync(CancellationToken stopToken) => Task.CompletedTask;

        internal override void ExpectEventReply()
        {
        }

        internal override void CompleteReply()
        {
            Replies++;
            _output.Clear();
            if (!answer || ev.IsFinished || _next == answers.Length) return; // "ret", or the test answers
            (PdkResultKind kind, ReadOnlySequence<byte> data) = answers[_next++];
            if (!ev.Resume(ev.Id, this, Replies + 1, kind, data)) throw new InvalidOperationException("the event does not wait for a step");
        }

        internal override void Abort()
        {
        }
    }
}
