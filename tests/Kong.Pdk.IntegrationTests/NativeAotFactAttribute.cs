namespace Kong.Pdk.IntegrationTests;

/// <summary>A test of the NativeAOT HelloPlugin, which the test build does not make: it runs when
/// <c>KONG_PDK_NATIVE_HELLOPLUGIN</c> names the published executable
/// (<c>dotnet publish samples/HelloPlugin -c Release -r linux-x64 -o DIR</c>, then DIR/HelloPlugin), and is reported
/// as skipped, with that reason, otherwise.</summary>
public sealed class NativeAotFactAttribute : FactAttribute
{
    public const string Variable = "KONG_PDK_NATIVE_HELLOPLUGIN";

    public NativeAotFactAttribute()
    {
        if (Executable is null) Skip = $"set {Variable} to a NativeAOT-published HelloPlugin to run it";
    }

    /// <summary>The NativeAOT HelloPlugin named by <see cref="Variable"/>, when it exists.</summary>
    public static string? Executable => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path && File.Exists(path) ? path : null;
}
