namespace TokenIntrospection;

/// <summary>What an introspection endpoint said about an active token: what the plugin caches and forwards. It
/// never holds the token itself.</summary>
/// <param name="Subject">The <c>sub</c> claim, if any.</param>
/// <param name="Scope">The space-separated <c>scope</c> claim, if any.</param>
/// <param name="ExpiresAt">The <c>exp</c> claim, if any.</param>
public sealed record ActiveToken(string? Subject, string? Scope, DateTimeOffset? ExpiresAt)
{
    /// <summary>True when every one of <paramref name="required"/> is among the token's scopes.</summary>
    public bool HasScopes(IReadOnlyList<string> required)
    {
        for (int i = 0; i < required.Count; i++)
        {
            if (!HasScope(required[i])) return false;
        }

        return true;
    }

    private bool HasScope(string wanted)
    {
        foreach (Range range in Scope.AsSpan().Split(' '))
        {
            if (Scope.AsSpan()[range].SequenceEqual(wanted)) return true;
        }

        return false;
    }
}
