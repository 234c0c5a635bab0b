using System;
using System.Text.RegularExpressions;

// Also compiled into the test projects' Kong schema validator (tests/Kong.Pdk.PackageTests), under its own namespace.
#if KONG_SCHEMA_VALIDATOR
namespace Kong.Pdk.PackageTests;
#else
namespace Kong.Pdk.Generators.Helpers;
#endif

/// <summary>
/// Kong's <c>is_regex</c> compiles the value with PCRE (<c>ngx.re.match</c>). The generator has no PCRE, so it compiles
/// with .NET's <see cref="Regex"/> as a proxy: the two agree on the common syntax (classes, groups, quantifiers,
/// anchors, escapes, named groups, lookaround), so an unbalanced bracket, a dangling quantifier or a bad escape is
/// caught. Where they differ the proxy does not judge: a pattern using PCRE-only syntax (possessive quantifiers,
/// <c>\Q..\E</c>, <c>\K</c>, recursion, branch reset, verbs such as <c>(*UTF8)</c>, <c>(?P</c> groups, the escapes
/// <c>\h</c>, <c>\R</c>, <c>\X</c>, <c>\N</c>, <c>\x{..}</c>, <c>\o{..}</c>, <c>\k{..}</c>) passes unchecked, and .NET-only
/// syntax that PCRE rejects (balancing groups, class subtraction) is reported. A proxy, not PCRE: a variable-length
/// lookbehind, which .NET accepts and PCRE rejects, passes.
/// </summary>
internal static class PcreProxy
{
    private static readonly string[] PcreOnly =
    {
        "++", "*+", "?+", "}+", "\\Q", "\\K", "(?R", "(?|", "(*", "(?P", "(?&", "\\g", "(?C", // possessive, quoting, recursion, verbs
        "\\h", "\\H", "\\R", "\\X", "\\N", "\\C", "\\o{", "\\x{", "\\k{", "\\p{X", // escapes only PCRE knows
    };

    /// <summary>Why <paramref name="pattern"/> is not a regular expression PCRE compiles, or <see langword="null"/>
    /// (also when the proxy cannot tell).</summary>
    public static string? Check(string pattern)
    {
        foreach (string token in PcreOnly)
        {
            if (pattern.IndexOf(token, StringComparison.Ordinal) >= 0)
            {
                return null;
            }
        }

        if (Regex.IsMatch(pattern, @"\(\?(<|')[A-Za-z0-9_]*-[A-Za-z0-9_]+(>|')"))
        {
            return "balancing groups are .NET syntax, which PCRE rejects";
        }

        if (Regex.IsMatch(pattern, @"-\[[^\]]*\]\]"))
        {
            return "character class subtraction is .NET syntax, which PCRE reads differently";
        }

        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            return null;
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
    }
}
