namespace Kong.Pdk.Hosting;

/// <summary>Scoped holder of the instance's <see cref="KongInstanceInfo"/>: the server fills it in right after it
/// creates the instance's scope, so services the container builds in that scope can take the info too.</summary>
internal sealed class KongInstanceInfoAccessor
{
    public KongInstanceInfo? Info { get; set; }

    public KongInstanceInfo GetRequired()
        => Info ?? throw new InvalidOperationException("KongInstanceInfo is only available in a plugin instance's scope (one per Kong configuration), not in the root service provider");
}
