using Kong.Pdk;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GreetingService;

/// <summary>
/// A plugin with services (docs/dependency-injection.md): a singleton greeting book shared by every instance, a
/// per-instance counter (scoped: one per Kong configuration, disposed with it), the instance's Kong metadata and a
/// logger with source-generated messages. No Main: the generated one runs the generic host.
/// </summary>
[KongPlugin("greeting-service", Version = "1.0.0", Priority = 900)]
public sealed partial class GreetingPlugin(IGreetingBook book, RequestCounter counter, KongInstanceInfo instance, ILogger<GreetingPlugin> logger)
{
    /// <summary>Which greeting to use.</summary>
    public string Language { get; set; } = "en";

    /// <summary>The services this plugin needs, added by the generated Main.</summary>
    public static void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton<IGreetingBook, GreetingBook>();
        services.AddScoped<RequestCounter>();
    }

    public async ValueTask Access(IKong kong, CancellationToken cancellationToken)
    {
        long count = counter.Next();
        if (count == 1) Log.FirstRequest(logger, instance.PluginId ?? "?", instance.InstanceId);
        await kong.Response.SetHeaderAsync("x-greeting", book.Greeting(Language), cancellationToken);
        await kong.Response.SetHeaderAsync("x-greeting-count", count.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
    }
}

/// <summary>Greetings by language: a singleton.</summary>
public interface IGreetingBook
{
    string Greeting(string language);
}

internal sealed class GreetingBook : IGreetingBook
{
    public string Greeting(string language) => language switch
    {
        "fr" => "bonjour",
        "de" => "hallo",
        _ => "hello",
    };
}

/// <summary>Requests seen by one plugin instance: scoped, so each Kong configuration counts on its own.</summary>
public sealed class RequestCounter
{
    private long _count;

    public long Next() => Interlocked.Increment(ref _count);
}

internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "first request for plugin {PluginId} (instance {InstanceId})")]
    public static partial void FirstRequest(ILogger logger, string pluginId, int instanceId);
}
