namespace Kong.Pdk.Pdk;

/// <summary>What Kong's step carried for a PDK call.</summary>
internal enum PdkResultKind
{
    /// <summary>A <c>Data</c> value.</summary>
    Value,

    /// <summary>No <c>Data</c> key: the function returned nil.</summary>
    Nil,

    /// <summary><c>plugin.StepError</c>: <c>Data</c> holds an error string (Kong 2.x).</summary>
    Error,
}
