using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TokenIntrospection;

// Not CreateApplicationBuilder(args): Kong's single-dash flags (-dump, -kong-prefix) belong to the plugin server.
HostApplicationBuilder builder = Host.CreateApplicationBuilder();
builder.Logging.AddKongConsoleDefaults(); // console lines on stderr, one per record: stdout is where -dump answers Kong
builder.Services.AddTokenIntrospection();

// OpenTelemetry over OTLP when the standard variable names an endpoint (OTEL_EXPORTER_OTLP_ENDPOINT, and the other
// OTEL_* variables the exporter reads). Without it nothing listens, and the server measures nothing.
if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
{
    builder.Services.AddOpenTelemetry()
        .WithTracing(tracing => tracing
            .AddKongPdkInstrumentation()                   // a span per Kong event: plugin, phase, outcome
            .AddSource("System.Net.Http")                  // HttpClient's own spans (.NET 9+), children of the event span
            .AddOtlpExporter())
        .WithMetrics(metrics => metrics
            .AddKongPdkInstrumentation()                   // kong.pdk.* instruments
            .AddMeter(TokenIntrospectionMetrics.MeterName) // token_introspection.decisions
            .AddMeter("System.Net.Http")                   // http.client.request.duration, open connections
            .AddMeter("Polly")                             // resilience events: retries, timeouts
            .AddOtlpExporter())
        .WithLogging(logging => logging.AddOtlpExporter());
}

using IHost host = builder.Build();
return await host.RunKongPluginsAsync(args, options => options.ContinueRequestTrace = true);
