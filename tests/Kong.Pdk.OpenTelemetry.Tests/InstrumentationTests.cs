using System.Diagnostics;
using Kong.Pdk.Hosting;
using Kong.Pdk.Tests;
using Kong.Pdk.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Kong.Pdk.OpenTelemetry.Tests;

/// <summary>
/// AddKongPdkInstrumentation on real OpenTelemetry SDK providers, exported to the in-memory exporter, while a fake
/// Kong plays events over the real Unix socket.
/// </summary>
public sealed class InstrumentationTests
{
    [Fact]
    public async Task TracerAndMeterProviders_WithKongPdkInstrumentation_ExportTheEventSpanAndTheMetrics()
    {
        string name = "otel-sdk-" + Guid.NewGuid().ToString("N")[..8];
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using TracerProvider tracing = Sdk.CreateTracerProviderBuilder()
            .AddKongPdkInstrumentation()
            .AddInMemoryExporter(spans)
            .Build();
        using MeterProvider meters = Sdk.CreateMeterProviderBuilder()
            .AddKongPdkInstrumentation()
            .AddInMemoryExporter(metrics)
            .Build();

        var plugin = new TestPlugin(name).On(KongPhase.Access, async (kong, ct) => await kong.Response.SetHeaderAsync("x-a", "1", ct));
        await using (InProcessServer server = InProcessServer.Start(plugin, o => o.ContinueRequestTrace = true))
        await using (KongConnection kong = await server.ConnectAsync())
        {
            await server.StartInstanceAsync(kong, name);
            RpcAnswer read = await server.HandleEventAsync(kong, 7, "access");
            Assert.Equal(new object?[] { "traceparent" }, read.CallArgs);
            RpcAnswer set = await server.StepAsync(kong, read.EventId, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
            Assert.Equal("kong.response.set_header", set.CallMethod);
            Assert.Equal("ret", (await server.StepAsync(kong, set.EventId, null, hasData: false)).Data);

            Assert.True(tracing.ForceFlush(10_000));
            Assert.True(meters.ForceFlush(10_000));
        }

        Activity span = Assert.Single(spans, s => Equals(s.GetTagItem("kong.plugin.name"), name));
        Assert.Equal($"{name} access", span.DisplayName);
        Assert.Equal(KongDiagnostics.ActivitySourceName, span.Source.Name);
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", span.TraceId.ToHexString());
        Assert.Equal("00f067aa0ba902b7", span.ParentSpanId.ToHexString());
        Assert.Equal("ok", span.GetTagItem("kong.pdk.event.outcome"));

        Assert.Equal(1, Sum(metrics, "kong.pdk.events", name));
        Assert.Equal(2, Sum(metrics, "kong.pdk.call.duration", name)); // histogram count: traceparent, set_header
        Assert.Equal(1, Sum(metrics, "kong.pdk.event.duration", name));
        Metric events = metrics.First(m => m.Name == "kong.pdk.events");
        Assert.Equal("{event}", events.Unit);
        Assert.Equal(KongDiagnostics.MeterName, events.MeterName);
        Assert.Equal("s", metrics.First(m => m.Name == "kong.pdk.event.duration").Unit);
        Assert.Contains(metrics, m => m.Name == "kong.pdk.active_instances");
    }

    [Fact]
    public async Task MeterProvider_WithKongPdkInstrumentation_ExportsTheMetricsOfAServerWhoseMeterComesFromAMeterFactory()
    {
        string name = "otel-factory-" + Guid.NewGuid().ToString("N")[..8];
        var metrics = new List<Metric>();
        using MeterProvider meters = Sdk.CreateMeterProviderBuilder()
            .AddKongPdkInstrumentation()
            .AddInMemoryExporter(metrics)
            .Build();
        using var factory = new TestMeterFactory();
        await using ServiceProvider services = new ServiceCollection().AddSingleton<System.Diagnostics.Metrics.IMeterFactory>(factory).BuildServiceProvider();

        var plugin = new TestPlugin(name).On(KongPhase.Access, (_, _) => ValueTask.CompletedTask);
        await using (InProcessServer server = InProcessServer.Start(plugin, o => o.Services = services))
        await using (KongConnection kong = await server.ConnectAsync())
        {
            await server.StartInstanceAsync(kong, name);
            Assert.Equal("ret", (await server.HandleEventAsync(kong, 7, "access")).Data);
            Assert.True(meters.ForceFlush(10_000));
        }

        Assert.Equal(1, Sum(metrics, "kong.pdk.events", name));
        Assert.Contains(factory.Created, m => m.Name == KongDiagnostics.MeterName);
    }

    /// <summary>What <c>AddMetrics()</c> registers, reduced to what the server asks for: meters scoped to it.</summary>
    private sealed class TestMeterFactory : System.Diagnostics.Metrics.IMeterFactory
    {
        public List<System.Diagnostics.Metrics.Meter> Created { get; } = [];

        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options)
        {
            var meter = new System.Diagnostics.Metrics.Meter(options.Name, options.Version, options.Tags, scope: this);
            Created.Add(meter);
            return meter;
        }

        public void Dispose() => Created.ForEach(static m => m.Dispose());
    }

    [Fact]
    public void AddKongPdkInstrumentation_RejectsANullBuilder()
    {
        Assert.Throws<ArgumentNullException>(() => KongPdkTracerProviderBuilderExtensions.AddKongPdkInstrumentation(null!));
        Assert.Throws<ArgumentNullException>(() => KongPdkMeterProviderBuilderExtensions.AddKongPdkInstrumentation(null!));
    }

    /// <summary>The sum of a counter, or the count of a histogram, over the points of <paramref name="plugin"/>.</summary>
    private static double Sum(List<Metric> metrics, string instrument, string plugin)
    {
        double total = 0;
        foreach (Metric metric in metrics.Where(m => m.Name == instrument))
        {
            foreach (ref readonly MetricPoint point in metric.GetMetricPoints())
            {
                bool mine = false;
                foreach (KeyValuePair<string, object?> tag in point.Tags)
                {
                    mine |= tag.Key == "kong.plugin.name" && Equals(tag.Value, plugin);
                }

                if (!mine) continue;
                total += metric.MetricType switch
                {
                    MetricType.LongSum => point.GetSumLong(),
                    MetricType.Histogram => point.GetHistogramCount(),
                    _ => 0,
                };
            }
        }

        return total;
    }
}
