namespace Kong.Pdk.IntegrationTests;

/// <summary>Tests that measure a server process's CPU or descriptors run alone, never beside other test classes.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialProcesses
{
    public const string Name = "serial processes";
}
