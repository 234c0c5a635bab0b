using System.Buffers;
using System.Globalization;
using System.Text;
using Kong.Pdk.Hosting;
using Kong.Pdk.Pdk;
using Kong.Pdk.Protocol;
using MessagePack;

namespace Kong.Pdk.Server;

/// <summary>
/// Decodes one framed request and carries it out (kong-protocol.md §4). Every well-framed request with a readable
/// msgid gets exactly one answer; a request whose msgid cannot be read closes its connection.
/// </summary>
internal sealed class RequestDispatcher
{
    private readonly PluginServer _server;

    public RequestDispatcher(PluginServer server) => _server = server;

    public RequestOutcome Process(PluginConnection connection, in ReadOnlySequence<byte> message)
    {
        var reader = new MessagePackReader(message);
        int elements;
        long msgId;
        try
        {
            if (reader.NextMessagePackType != MessagePackType.Array) return RequestOutcome.Close;
            elements = reader.ReadArrayHeader();
            if (elements < 3) return RequestOutcome.Close;
            if (reader.NextMessagePackType != MessagePackType.Integer || reader.ReadInt64() != 0) return RequestOutcome.Close;
            if (reader.NextMessagePackType != MessagePackType.Integer) return RequestOutcome.Close;
            msgId = reader.ReadInt64();
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or OverflowException or EndOfStreamException)
        {
            return RequestOutcome.Close;
        }

        RpcMethod method = RpcMethod.Unknown;
        string methodText = "?"; // a constant per method: no string is allocated per request
        try
        {
            Span<byte> scratch = stackalloc byte[64];
            int nameLength = MsgPackRead.ReadKey(ref reader, scratch);
            ReadOnlySpan<byte> name = nameLength >= 0 ? scratch[..nameLength] : default;
            if (nameLength < 0)
            {
                return Error(connection, msgId, "malformed request: the method is not a string (or longer than 64 bytes)");
            }

            method = RpcMethodNames.Parse(name);
            if (method == RpcMethod.Unknown)
            {
                return Error(connection, msgId, WireErrors.MethodNotImplemented(Encoding.UTF8.GetString(name)));
            }

            methodText = RpcMethodNames.Describe(method);
            if (elements != 4 || reader.NextMessagePackType != MessagePackType.Array)
            {
                return Error(connection, msgId, WireErrors.BadParams(methodText, "expected [0, msgid, method, params] with params an array"));
            }

            int paramCount = reader.ReadArrayHeader();
            return method switch
            {
                RpcMethod.HandleEvent => HandleEvent(connection, msgId, ref reader, paramCount),
                RpcMethod.Step => Step(connection, msgId, ref reader, paramCount, message, PdkResultKind.Value, methodText),
                RpcMethod.StepError => Step(connection, msgId, ref reader, paramCount, message, PdkResultKind.Error, methodText),
                RpcMethod.StartInstance => StartInstance(connection, msgId, ref reader, paramCount),
                RpcMethod.CloseInstance => CloseInstance(connection, msgId, ref reader, paramCount),
                RpcMethod.InstanceStatus => InstanceStatus(connection, msgId, ref reader, paramCount),
                RpcMethod.GetStatus => GetStatus(connection, msgId),
                RpcMethod.GetPluginInfo => GetPluginInfo(connection, msgId, ref reader, paramCount),
                _ => Error(connection, msgId, WireErrors.MethodNotImplemented(methodText)),
            };
        }
        catch (MessagePackSerializationException ex)
        {
            return Error(connection, msgId, WireErrors.BadParams(methodText, ex.Message));
        }
        catch (Exception ex) when (ex is OverflowException or EndOfStreamException or InvalidOperationException)
        {
            return Error(connection, msgId, WireErrors.BadParams(methodText, ex.Message));
        }
    }

    private RequestOutcome HandleEvent(PluginConnection connection, long msgId, ref MessagePackReader reader, int paramCount)
    {
        if (paramCount < 1 || !MsgPackRead.TryReadMapHeader(ref reader, out int keys))
        {
            return Error(connection, msgId, WireErrors.BadParams("plugin.HandleEvent", "expected [{InstanceId, EventName}]"));
        }

        long instanceId = -1;
        KongPhase phase = default;
        bool hasPhase = false;
        int phaseLength = -1; // the name's bytes stay in nameScratch: a string only for the error answer
        Span<byte> scratch = stackalloc byte[32];
        Span<byte> nameScratch = stackalloc byte[32];
        for (int i = 0; i < keys; i++)
        {
            int keyLength = MsgPackRead.ReadKey(ref reader, scratch);
            ReadOnlySpan<byte> key = keyLength >= 0 ? scratch[..keyLength] : default;
            if (keyLength < 0)
            {
                reader.Skip();
                continue;
            }

            if (key.SequenceEqual("InstanceId"u8))
            {
                instanceId = MsgPackRead.ReadInt64Lenient(ref reader);
            }
            else if (key.SequenceEqual("EventName"u8))
            {
                phaseLength = MsgPackRead.ReadKey(ref reader, nameScratch);
                if (phaseLength >= 0) hasPhase = KongPhaseNames.TryParse(nameScratch[..phaseLength], out phase);
            }
            else
            {
                reader.Skip();
            }
        }

        if (instanceId < 0)
        {
            return Error(connection, msgId, WireErrors.BadParams("plugin.HandleEvent", "InstanceId is missing"));
        }

        PluginInstance instance;
        do
        {
            if (instanceId > int.MaxValue || !_server.Instances.TryGet((int)instanceId, out instance))
            {
                // The one place this text is sent: Kong then restarts its instances (kong-protocol.md §4.5).
                return Error(connection, msgId, WireErrors.NoPluginInstance(instanceId));
            }

            // Retired between the lookup and here (CloseInstance on another connection, a replacement, the idle
            // sweep): it has left the registry, which now holds its successor or nothing, so look again.
        }
        while (!instance.TryBeginEvent());

        if (!hasPhase || !Contains(instance.Descriptor.Phases, phase))
        {
            instance.EventEnded();
            string phaseText = phaseLength >= 0 ? Encoding.UTF8.GetString(nameScratch[..phaseLength]) : "(missing)";
            return Error(connection, msgId, $"plugin {instance.Descriptor.Name} has no handler for the event '{phaseText}'");
        }

        if (!MakeRoomForEvent(connection))
        {
            instance.EventEnded();
            if (_server.Meters.RejectedEvents.Enabled) _server.Meters.RejectedEvents.Add(1, ServerTelemetry.PluginTags(instance.Descriptor, phase));
            _server.Log.Warn($"HandleEvent refused: {_server.Events.Count} events in flight (limit {_server.Options.MaxEventsInFlight}), none of them waiting for a step");
            return Error(connection, msgId, WireErrors.TooManyEvents);
        }

        EventCore ev = _server.Events.Rent(_server);
        ev.Reset(instance, phase);
        _server.Events.Add(ev);
        connection.ExpectEventReply();
        ev.Start(connection, msgId);
        return RequestOutcome.AnsweredByEvent;
    }

    /// <summary>Enforces the per-connection limit by abandoning the oldest events that wait for a step on the
    /// offending connection, and the total limit by abandoning the events that waited longest for a step on any
    /// connection (see <see cref="EventEviction"/>); false when the total limit is reached and no event waits for a
    /// step.</summary>
    private bool MakeRoomForEvent(PluginConnection connection)
    {
        KongServerOptions options = _server.Options;
        int batch = Math.Max(1, options.MaxEventsPerConnection / 10);
        if (connection.WaitingEvents >= options.MaxEventsPerConnection)
        {
            int waiting = connection.WaitingEvents;
            int abandoned = EventEviction.AbandonOldestWaiting(_server.Events, connection, batch);
            _server.Log.Warn($"connection {connection.Number}: {waiting} events wait for a step on it (limit {options.MaxEventsPerConnection} per connection): its {abandoned} oldest abandoned");
        }

        if (_server.Events.Count < options.MaxEventsInFlight) return true;
        int evicted = EventEviction.AbandonOldestWaiting(_server.Events, connection: null, Math.Max(1, Math.Min(batch, options.MaxEventsInFlight / 100)));
        if (evicted == 0) return false;
        _server.Log.Warn($"{options.MaxEventsInFlight} events in flight (the limit): the {evicted} that waited longest for a step abandoned");
        return _server.Events.Count < options.MaxEventsInFlight;
    }

    private RequestOutcome Step(PluginConnection connection, long msgId, ref MessagePackReader reader, int paramCount,
        in ReadOnlySequence<byte> message, PdkResultKind kind, string method)
    {
        if (paramCount < 1 || !MsgPackRead.TryReadMapHeader(ref reader, out int keys))
        {
            return Error(connection, msgId, WireErrors.BadParams(method, "expected [{EventId, Data}]"));
        }

        long eventId = -1;
        bool hasData = false;
        ReadOnlySequence<byte> data = default;
        Span<byte> scratch = stackalloc byte[16];
        for (int i = 0; i < keys; i++)
        {
            int keyLength = MsgPackRead.ReadKey(ref reader, scratch);
            ReadOnlySpan<byte> key = keyLength >= 0 ? scratch[..keyLength] : default;
            if (keyLength < 0)
            {
                reader.Skip();
                continue;
            }

            if (key.SequenceEqual("EventId"u8))
            {
                eventId = MsgPackRead.ReadInt64Lenient(ref reader);
            }
            else if (key.SequenceEqual("Data"u8))
            {
                SequencePosition start = reader.Position;
                reader.Skip();
                data = message.Slice(start, reader.Position);
                hasData = true;
            }
            else
            {
                reader.Skip();
            }
        }

        if (eventId < 0)
        {
            return Error(connection, msgId, WireErrors.BadParams(method, "EventId is missing"));
        }

        if (eventId > int.MaxValue || !_server.Events.TryGet((int)eventId, out EventCore ev))
        {
            return Error(connection, msgId, WireErrors.NoRunningEvent(eventId));
        }

        if (!hasData && kind == PdkResultKind.Value) kind = PdkResultKind.Nil;
        connection.ExpectEventReply();
        if (!ev.Resume((int)eventId, connection, msgId, kind, data))
        {
            return Error(connection, msgId, WireErrors.NoRunningEvent(eventId) + " waiting for a step");
        }

        return RequestOutcome.AnsweredByEvent;
    }

    private RequestOutcome StartInstance(PluginConnection connection, long msgId, ref MessagePackReader reader, int paramCount)
    {
        if (paramCount < 1 || !MsgPackRead.TryReadMapHeader(ref reader, out int keys))
        {
            return Error(connection, msgId, WireErrors.BadParams("plugin.StartInstance", "expected [{Name, Config}]"));
        }

        string? name = null;
        byte[]? config = null;
        Span<byte> scratch = stackalloc byte[16];
        for (int i = 0; i < keys; i++)
        {
            int keyLength = MsgPackRead.ReadKey(ref reader, scratch);
            ReadOnlySpan<byte> key = keyLength >= 0 ? scratch[..keyLength] : default;
            if (keyLength < 0)
            {
                reader.Skip();
                continue;
            }

            if (key.SequenceEqual("Name"u8)) name = MsgPackRead.ReadStringLenient(ref reader);
            else if (key.SequenceEqual("Config"u8)) config = MsgPackRead.ReadBytesLenient(ref reader);
            else reader.Skip();
        }

        if (name is null) return Error(connection, msgId, WireErrors.BadParams("plugin.StartInstance", "Name is missing"));
        KongPluginDescriptor? descriptor = _server.FindPlugin(name);
        if (descriptor is null) return Error(connection, msgId, WireErrors.UnknownPlugin(name));

        config ??= "{}"u8.ToArray();
        MemoryBudget memory = _server.Memory;
        long seq = ConfigSequence.Read(config);
        int id = _server.Instances.ChooseId(seq);
        long replacing = _server.Instances.TryGet(id, out PluginInstance? previous) ? previous.MemoryCharge : 0;
        if (!memory.TryReserve(config.Length, credit: replacing))
        {
            _server.Log.Warn($"StartInstance of {name} refused: its configuration of {config.Length} bytes does not fit the memory budget ({memory.Used} of {memory.Limit} bytes in use)");
            return Error(connection, msgId, $"failed to start an instance of {name}: the plugin server's memory budget is exhausted (configuration of {config.Length} bytes, {memory.Used} of {memory.Limit} bytes in use)");
        }

        IKongPluginInstance handler;
        InstanceServices? services = null;
        try
        {
            if (_server.Options.Services is { } root)
            {
                // One scope per instance (per Kong configuration); it also answers KongInstanceInfo.
                services = InstanceServices.Create(root, InstanceMetadata.Read(config, descriptor.Name, id), _server.Log);
                handler = descriptor.CreateInstance(config, services);
            }
            else
            {
                handler = descriptor.CreateInstance(config);
            }
        }
        catch (KongConfigException ex) when (ex.FromBinder)
        {
            // The generated binder's messages hold field paths and expectations, never a value.
            services?.DisposeInBackground();
            memory.Release(config.Length);
            _server.Log.Error($"StartInstance of {name} failed: {ex.Message}");
            return Error(connection, msgId, WireErrors.Sanitize($"failed to start an instance of {name}: {ex.Message}"));
        }
        catch (KongMissingServiceException ex)
        {
            // Names the plugin and the service type, nothing from the configuration.
            services?.DisposeInBackground();
            memory.Release(config.Length);
            _server.Log.Error($"StartInstance of {name} failed: {ex.Message}");
            return Error(connection, msgId, WireErrors.Sanitize($"failed to start an instance of {name}: {ex.Message}"));
        }
        catch (Exception ex)
        {
            services?.DisposeInBackground();
            // Any other message (a hand-written descriptor, a configuration setter) may hold a config value: the field
            // path or the exception type only, whatever HideExceptionDetails says (the configuration carries resolved
            // secrets).
            memory.Release(config.Length);
            string reason = ex is KongConfigException { Field: { } field }
                ? $"invalid config field '{WireErrors.ConfigFieldPath(field)}'"
                : $"{ex.GetType().Name} while binding the configuration";
            _server.Log.Error($"StartInstance of {name} failed: {reason}");
            return Error(connection, msgId, WireErrors.Sanitize($"failed to start an instance of {name}: {reason}"));
        }

        long started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var instance = new PluginInstance(id, descriptor, handler, started, config.Length, services);
        bool replaced = _server.Instances.TryGet(id, out _);
        _server.Instances.Set(instance);
        _server.Log.Info($"instance {id} of {name} started{(replaced ? " (replacing the previous one with this id)" : "")}");

        var writer = new MessagePackWriter(connection.Output);
        RpcWriter.WriteResultHeader(ref writer, msgId);
        writer.WriteMapHeader(3);
        writer.WriteString("Name"u8);
        writer.Write(descriptor.Name);
        writer.WriteString("Id"u8);
        writer.Write(id);
        writer.WriteString("StartTime"u8);
        writer.Write(started);
        writer.Flush();
        return RequestOutcome.Answered;
    }

    private RequestOutcome CloseInstance(PluginConnection connection, long msgId, ref MessagePackReader reader, int paramCount)
    {
        if (paramCount < 1 || reader.NextMessagePackType != MessagePackType.Integer)
        {
            return Error(connection, msgId, WireErrors.BadParams("plugin.CloseInstance", "expected [id]"));
        }

        long id = reader.ReadInt64();
        if (id is < 0 or > int.MaxValue || !_server.Instances.TryRemove((int)id, out PluginInstance instance))
        {
            return Error(connection, msgId, WireErrors.InstanceNotFound(id));
        }

        _server.Log.Info($"instance {id} of {instance.Descriptor.Name} closed");
        var writer = new MessagePackWriter(connection.Output);
        RpcWriter.WriteResultHeader(ref writer, msgId);
        writer.WriteMapHeader(2);
        writer.WriteString("Name"u8);
        writer.Write(instance.Descriptor.Name);
        writer.WriteString("Id"u8);
        writer.Write(instance.Id);
        writer.Flush();
        return RequestOutcome.Answered;
    }

    private RequestOutcome InstanceStatus(PluginConnection connection, long msgId, ref MessagePackReader reader, int paramCount)
    {
        if (paramCount < 1 || reader.NextMessagePackType != MessagePackType.Integer)
        {
            return Error(connection, msgId, WireErrors.BadParams("plugin.InstanceStatus", "expected [id]"));
        }

        long id = reader.ReadInt64();
        if (id is < 0 or > int.MaxValue || !_server.Instances.TryGet((int)id, out PluginInstance instance))
        {
            return Error(connection, msgId, WireErrors.InstanceNotFound(id));
        }

        var writer = new MessagePackWriter(connection.Output);
        RpcWriter.WriteResultHeader(ref writer, msgId);
        WriteInstanceStatus(ref writer, instance);
        writer.Flush();
        return RequestOutcome.Answered;
    }

    private RequestOutcome GetStatus(PluginConnection connection, long msgId)
    {
        var writer = new MessagePackWriter(connection.Output);
        RpcWriter.WriteResultHeader(ref writer, msgId);
        writer.WriteMapHeader(2);
        writer.WriteString("Pid"u8);
        writer.Write(_server.Pid);
        writer.WriteString("Plugins"u8);
        writer.WriteMapHeader(_server.Plugins.Count);
        List<PluginInstance> instances = _server.Instances.Snapshot().ToList();
        foreach (KongPluginDescriptor plugin in _server.Plugins)
        {
            writer.Write(plugin.Name);
            writer.WriteMapHeader(2);
            writer.WriteString("Name"u8);
            writer.Write(plugin.Name);
            writer.WriteString("Instances"u8);
            List<PluginInstance> mine = instances.Where(i => ReferenceEquals(i.Descriptor, plugin)).OrderBy(i => i.Id).ToList();
            writer.WriteArrayHeader(mine.Count);
            foreach (PluginInstance instance in mine) WriteInstanceStatus(ref writer, instance);
        }

        writer.Flush();
        return RequestOutcome.Answered;
    }

    private RequestOutcome GetPluginInfo(PluginConnection connection, long msgId, ref MessagePackReader reader, int paramCount)
    {
        string? name = paramCount >= 1 ? MsgPackRead.ReadStringLenient(ref reader) : null;
        KongPluginDescriptor? plugin = name is null ? null : _server.FindPlugin(name);
        if (plugin is null) return Error(connection, msgId, WireErrors.UnknownPlugin(name ?? "(missing)"));

        var writer = new MessagePackWriter(connection.Output);
        RpcWriter.WriteResultHeader(ref writer, msgId);
        writer.WriteMapHeader(5);
        writer.WriteString("Name"u8);
        writer.Write(plugin.Name);
        writer.WriteString("Version"u8);
        writer.Write(plugin.Version);
        writer.WriteString("Priority"u8);
        writer.Write(plugin.Priority);
        writer.WriteString("Phases"u8);
        writer.WriteArrayHeader(plugin.Phases.Count);
        foreach (KongPhase phase in plugin.Phases) writer.Write(phase.ToWireName());
        writer.WriteString("Schema"u8);
        JsonToMsgPack.Write(ref writer, Encoding.UTF8.GetBytes(plugin.SchemaJson));
        writer.Flush();
        return RequestOutcome.Answered;
    }

    private static void WriteInstanceStatus(ref MessagePackWriter writer, PluginInstance instance)
    {
        writer.WriteMapHeader(3);
        writer.WriteString("Name"u8);
        writer.Write(instance.Descriptor.Name);
        writer.WriteString("Id"u8);
        writer.Write(instance.Id);
        writer.WriteString("StartTime"u8);
        writer.Write(instance.StartTimeUnixSeconds);
    }

    private RequestOutcome Error(PluginConnection connection, long msgId, string error)
    {
        if (_server.Log.IsEnabled(KongLogLevel.Debug)) _server.Log.Debug(string.Create(CultureInfo.InvariantCulture, $"connection {connection.Number}: answering msgid {msgId} with error: {error}"));
        RpcWriter.WriteError(connection.Output, msgId, error);
        return RequestOutcome.Answered;
    }

    private static bool Contains(IReadOnlyList<KongPhase> phases, KongPhase phase)
    {
        for (int i = 0; i < phases.Count; i++)
        {
            if (phases[i] == phase) return true;
        }

        return false;
    }
}
