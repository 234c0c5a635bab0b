using System.Collections.Concurrent;
using Kong.Pdk.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kong.Pdk.Tests;

/// <summary>Kong.Pdk.Extensions.Hosting: the generic host's lifetime around the plugin server, over a real socket.</summary>
[Collection(nameof(HostingTests))] // the host's console lifetime registers process-wide signal handlers
public class HostingTests
{
    private static IHost Build(RecordingService recorder, LogCollector logs)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton(recorder);
        builder.Services.AddHostedService(static sp => sp.GetRequiredService<RecordingService>());
        builder.Services.AddSingleton<SharedCounter>();
        builder.Services.AddScoped<PerInstanceState>();
        builder.Services.AddKongPlugin<DiTestPlugin>();
        return builder.Build();
    }

    [Fact]
    public async Task RunKongPluginsAsync_Dump_AnswersWithoutStartingTheHost()
    {
        var recorder = new RecordingService();
        using IHost host = Build(recorder, new LogCollector());

        int exit = await host.RunKongPluginsAsync(["-plugin-names"]);

        Assert.Equal(0, exit);
        Assert.Equal(0, recorder.Started);
    }

    [Fact]
    public async Task RunKongPluginsAsync_Serve_StartsTheHostFirst_StopApplicationDrainsThenStopsIt_ServerLogGoesToILogger()
    {
        var recorder = new RecordingService();
        var logs = new LogCollector();
        using IHost host = Build(recorder, logs);
        string directory = Path.Combine(Path.GetTempPath(), "kh-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        string socket = Path.Combine(directory, "di-test.socket");
        try
        {
            Task<int> run = host.RunKongPluginsAsync(["--socket", socket, "-shutdown-timeout", "1"]);
            await ProtocolConformanceTests.Eventually(() => File.Exists(socket) || run.IsCompleted, "the socket is bound");
            Assert.False(run.IsCompleted, "the server runs");
            Assert.Equal(1, recorder.Started);

            await using (KongConnection kong = await KongConnection.ConnectAsync(socket))
            {
                RpcAnswer started = await kong.CallAsync(1, "plugin.StartInstance", Mp.Map("Name", "di-test", "Config", """{"header":"x-h","__seq__":3}"""));
                Assert.Null(started.Error);
            }

            PerInstanceState state = DiTestPlugin.Created.Single(p => p.Shared == host.Services.GetRequiredService<SharedCounter>()).State;
            host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

            Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(20)));
            Assert.Equal(1, recorder.Stopped);
            Assert.True(state.Disposed, "the instance's scope is disposed at shutdown");
            Assert.Contains(logs.Lines, l => l.Category == "Kong.Pdk.Server" && l.Text.StartsWith("listening on " + socket, StringComparison.Ordinal));
            Assert.Contains(logs.Lines, l => l.Category == "Kong.Pdk.Server" && l.Text.StartsWith("instance 3 of di-test started", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    public sealed class RecordingService : IHostedService
    {
        private int _started;
        private int _stopped;

        public int Started => Volatile.Read(ref _started);

        public int Stopped => Volatile.Read(ref _stopped);

        public Task StartAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _started);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _stopped);
            return Task.CompletedTask;
        }
    }

    public sealed class LogCollector : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, string Text)> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Collector(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Collector(LogCollector owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
                => owner.Lines.Enqueue((category, formatter(state, exception)));
        }
    }
}
