namespace Kong.Pdk;

/// <summary>
/// What Kong says about one configured plugin instance (one <c>plugin.StartInstance</c>): the plugin entity's id, its
/// cache key, the configuration's sequence number and the workspace. A plugin constructor or a scoped service can
/// take it as a parameter (docs/dependency-injection.md); it is the same object for the instance's whole life.
/// </summary>
/// <remarks>It holds identifiers only, never a configuration value, so it is safe to log.</remarks>
public sealed class KongInstanceInfo
{
    /// <summary>Creates the metadata of one instance.</summary>
    /// <param name="pluginName">The plugin's name.</param>
    /// <param name="instanceId">The id the server gave the instance.</param>
    /// <param name="pluginId">The plugin entity's id (<c>__plugin_id</c>), when Kong sent it.</param>
    /// <param name="key">Kong's cache key of the plugin entity (<c>__key__</c>), when sent.</param>
    /// <param name="sequence">The configuration's sequence number (<c>__seq__</c>), 0 when not sent.</param>
    /// <param name="workspaceId">The workspace id (<c>__ws_id</c>), when sent.</param>
    public KongInstanceInfo(string pluginName, int instanceId, string? pluginId, string? key, long sequence, string? workspaceId)
    {
        ArgumentNullException.ThrowIfNull(pluginName);
        PluginName = pluginName;
        InstanceId = instanceId;
        PluginId = pluginId;
        Key = key;
        Sequence = sequence;
        WorkspaceId = workspaceId;
    }

    /// <summary>The plugin's name, as in kong.conf's <c>plugins</c>.</summary>
    public string PluginName { get; }

    /// <summary>The instance id the server answered <c>plugin.StartInstance</c> with (Kong's <c>__seq__</c> when it is
    /// a positive int31) and that Kong's events name.</summary>
    public int InstanceId { get; }

    /// <summary>The plugin entity's id (<c>__plugin_id</c>), a UUID; <see langword="null"/> when Kong did not send it.</summary>
    public string? PluginId { get; }

    /// <summary>Kong's cache key of the plugin entity (<c>__key__</c>), such as
    /// <c>plugins:my-plugin:&lt;route&gt;:&lt;service&gt;:&lt;consumer&gt;::&lt;workspace&gt;</c>; <see langword="null"/> when not sent.</summary>
    public string? Key { get; }

    /// <summary>The configuration's sequence number (<c>__seq__</c>), which grows with each change Kong makes; 0 when
    /// not sent.</summary>
    public long Sequence { get; }

    /// <summary>The workspace id (<c>__ws_id</c>); <see langword="null"/> when not sent.</summary>
    public string? WorkspaceId { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{PluginName} instance {InstanceId} (plugin id {PluginId ?? "?"})";
}
