namespace Kong.Pdk.IntegrationTests;

/// <summary>A test that needs root (to make files of another user). Run as another user it is reported as skipped,
/// with that reason, instead of passing without checking anything.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Environment.UserName != "root") Skip = "needs root: a file owned by another user can only be made by root";
    }
}
