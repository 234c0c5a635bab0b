using Xunit;

namespace Kong.Pdk.PackageTests;

/// <summary>The Lua pattern reader that the validator and the generator share: it accepts what LuaJIT's
/// <c>string.match</c> accepts, rejects with Lua's own message what Lua raises an error for, and matches as Lua does.</summary>
public sealed class LuaPatternTests
{
    [Theory]
    [InlineData("^%d+$")]
    [InlineData("^[%w-]+$")]
    [InlineData("[]]")]
    [InlineData("[^]]")]
    [InlineData("a$b")]
    [InlineData("^^")]
    [InlineData("%b()")]
    [InlineData("%f[%w]%w+")]
    [InlineData("(a)(b)%2%1")]
    [InlineData("()x")]
    [InlineData("*a")]
    [InlineData("%q%Z")]
    [InlineData("")]
    public void Check_AValidPattern_IsAccepted(string pattern)
    {
        Assert.Null(LuaPattern.Check(pattern));
    }

    [Theory]
    [InlineData("[a-", "malformed pattern (missing ']')")]
    [InlineData("[%", "malformed pattern (missing ']')")]
    [InlineData("[^", "malformed pattern (missing ']')")]
    [InlineData("ab%", "malformed pattern (ends with '%')")]
    [InlineData("(a", "unfinished capture")]
    [InlineData("a)", "invalid pattern capture")]
    [InlineData("%1", "invalid capture index %1")]
    [InlineData("(a%1)", "invalid capture index %1")]
    [InlineData("%0", "invalid capture index %0")]
    [InlineData("%b(", "malformed pattern (missing arguments to '%b')")]
    [InlineData("%fx", "missing '[' after '%f' in pattern")]
    [InlineData("%f[a", "malformed pattern (missing ']')")]
    public void Check_AMalformedPattern_GivesLuasError(string pattern, string error)
    {
        Assert.Equal(error, LuaPattern.Check(pattern));
    }

    [Fact]
    public void Check_MoreThan32Captures_IsTooMany()
    {
        Assert.Equal("too many captures", LuaPattern.Check(string.Concat(Enumerable.Repeat("()", 33))));
        Assert.Null(LuaPattern.Check(string.Concat(Enumerable.Repeat("()", 32))));
    }

    [Theory]
    [InlineData("123", "^%d+$", true)]
    [InlineData("12a", "^%d+$", false)]
    [InlineData("x12", "%d+", true)]
    [InlineData("my-name_1", "^[%w-_]+$", true)]
    [InlineData("hello world", "%f[%w]world", true)]
    [InlineData("helloworld", "%f[%w]world", false)]
    [InlineData("aa", "^(a)%1$", true)]
    [InlineData("ab", "^(a)%1$", false)]
    [InlineData("f(a(b)c)", "^f%b()$", true)]
    [InlineData("abcbc", "^a.-c$", true)]
    [InlineData("ac", "^ab?c$", true)]
    [InlineData("ABC", "^%u+$", true)]
    [InlineData("AbC", "^%U", false)]
    [InlineData("a.b", "^a%.b$", true)]
    [InlineData("axb", "^a%.b$", false)]
    [InlineData("", "^$", true)]
    [InlineData("x", "[^%a]", false)]
    [InlineData("v1.2", "^v[0-9]+%.[0-9]+$", true)]
    public void IsMatch_MatchesAsLuaDoes(string subject, string pattern, bool expected)
    {
        Assert.Equal(expected, LuaPattern.IsMatch(subject, pattern));
    }
}
