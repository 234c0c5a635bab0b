using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;

namespace TokenIntrospection;

/// <summary>
/// Active tokens' introspection results in the application's <see cref="IMemoryCache"/> (a singleton, shared by every
/// plugin instance). Only active results are cached, each for min(<c>cache_ttl</c>, time until <c>exp</c>).
/// </summary>
public sealed class TokenCache(IMemoryCache cache)
{
    private const string KeyPrefix = "token-introspection:";

    /// <summary>
    /// The cache key: a SHA-256 of the endpoint, the client id and the token. The raw token never becomes a key (keys
    /// show up in memory dumps, diagnostics and logs of cache tooling), and two configurations that ask different
    /// endpoints never share a result.
    /// </summary>
    public static string KeyFor(string endpoint, string? clientId, string token)
    {
        byte[] material = Encoding.UTF8.GetBytes(string.Concat(endpoint, "\n", clientId, "\n", token));
        try
        {
            return KeyPrefix + Convert.ToHexString(SHA256.HashData(material));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    public bool TryGet(string key, out ActiveToken? token) => cache.TryGetValue(key, out token);

    public void Set(string key, ActiveToken token, TimeSpan ttl)
        => cache.Set(key, token, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = ttl, Size = 1 });
}
