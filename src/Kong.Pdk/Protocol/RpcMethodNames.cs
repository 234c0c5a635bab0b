namespace Kong.Pdk.Protocol;

/// <summary>Maps a UTF-8 method name to <see cref="RpcMethod"/> without allocating.</summary>
internal static class RpcMethodNames
{
    public static RpcMethod Parse(ReadOnlySpan<byte> name)
    {
        if (!name.StartsWith("plugin."u8)) return RpcMethod.Unknown;
        ReadOnlySpan<byte> rest = name["plugin."u8.Length..];
        if (rest.StartsWith("Step"u8))
        {
            return rest.SequenceEqual("StepError"u8) ? RpcMethod.StepError : RpcMethod.Step;
        }

        if (rest.SequenceEqual("HandleEvent"u8)) return RpcMethod.HandleEvent;
        if (rest.SequenceEqual("StartInstance"u8)) return RpcMethod.StartInstance;
        if (rest.SequenceEqual("CloseInstance"u8)) return RpcMethod.CloseInstance;
        if (rest.SequenceEqual("GetStatus"u8)) return RpcMethod.GetStatus;
        if (rest.SequenceEqual("InstanceStatus"u8)) return RpcMethod.InstanceStatus;
        if (rest.SequenceEqual("GetPluginInfo"u8)) return RpcMethod.GetPluginInfo;
        return RpcMethod.Unknown;
    }

    /// <summary>The method's name for error messages (the Step variants share one).</summary>
    public static string Describe(RpcMethod method) => method switch
    {
        RpcMethod.StartInstance => "plugin.StartInstance",
        RpcMethod.CloseInstance => "plugin.CloseInstance",
        RpcMethod.HandleEvent => "plugin.HandleEvent",
        RpcMethod.Step => "plugin.Step",
        RpcMethod.StepError => "plugin.StepError",
        RpcMethod.GetStatus => "plugin.GetStatus",
        RpcMethod.InstanceStatus => "plugin.InstanceStatus",
        RpcMethod.GetPluginInfo => "plugin.GetPluginInfo",
        _ => "?",
    };
}
