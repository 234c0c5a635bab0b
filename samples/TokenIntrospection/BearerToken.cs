using System.Buffers;

namespace TokenIntrospection;

/// <summary>Reads the token of an <c>Authorization: Bearer &lt;token&gt;</c> header (RFC 6750 §2.1).</summary>
internal static class BearerToken
{
    /// <summary>Longer tokens are refused before anything is sent to the endpoint.</summary>
    public const int MaxLength = 4096;

    // b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");

    /// <summary>True when <paramref name="authorization"/> is the Bearer scheme (any case) followed by one
    /// well-formed token.</summary>
    public static bool TryParse(string authorization, out string token)
    {
        token = "";
        ReadOnlySpan<char> value = authorization.AsSpan().Trim();
        if (value.Length < 8 || !value[..6].Equals("Bearer", StringComparison.OrdinalIgnoreCase) || value[6] != ' ')
        {
            return false;
        }

        ReadOnlySpan<char> candidate = value[7..].TrimStart(' ');
        if (candidate.Length is 0 or > MaxLength) return false;

        int end = candidate.IndexOfAnyExcept(TokenChars);
        if (end == 0) return false;
        if (end > 0 && candidate[end..].IndexOfAnyExcept('=') >= 0) return false; // only padding may follow

        token = candidate.ToString();
        return true;
    }
}
