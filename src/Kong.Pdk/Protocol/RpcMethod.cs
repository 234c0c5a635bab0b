namespace Kong.Pdk.Protocol;

/// <summary>The RPC methods of MsgPack:1 that the server implements (kong-protocol.md §4.1).</summary>
internal enum RpcMethod
{
    Unknown = 0,
    StartInstance,
    CloseInstance,
    HandleEvent,
    /// <summary><c>plugin.Step</c> and every other <c>plugin.Step*</c> name except StepError.</summary>
    Step,
    StepError,
    GetStatus,
    InstanceStatus,
    GetPluginInfo,
}
