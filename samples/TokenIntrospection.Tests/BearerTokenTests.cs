using Xunit;

namespace TokenIntrospection.Tests;

/// <summary>RFC 6750 §2.1: <c>Bearer</c> (any case), one space or more, one b64token.</summary>
public sealed class BearerTokenTests
{
    [Theory]
    [InlineData("Bearer abc", "abc")]
    [InlineData("bearer abc", "abc")]
    [InlineData("BEARER  a-b.c_d~e+f/g==", "a-b.c_d~e+f/g==")]
    [InlineData("  Bearer abc  ", "abc")]
    public void AWellFormedHeader_GivesTheToken(string header, string expected)
    {
        Assert.True(BearerToken.TryParse(header, out string token));
        Assert.Equal(expected, token);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearerabc")]
    [InlineData("Basic abc")]
    [InlineData("Bearer a b")]
    [InlineData("Bearer =abc")]
    [InlineData("Bearer ab=c")]
    [InlineData("Bearer a,b")]
    [InlineData("Bearer a\tb")]
    public void AnythingElse_IsRefused(string header)
    {
        Assert.False(BearerToken.TryParse(header, out _));
    }

    [Fact]
    public void ATokenLongerThanTheLimit_IsRefused()
    {
        Assert.True(BearerToken.TryParse("Bearer " + new string('a', BearerToken.MaxLength), out _));
        Assert.False(BearerToken.TryParse("Bearer " + new string('a', BearerToken.MaxLength + 1), out _));
    }
}
