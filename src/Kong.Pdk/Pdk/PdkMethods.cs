namespace Kong.Pdk.Pdk;

/// <summary>Every Kong PDK function name the typed API calls, as UTF-8, in one place (STYLE.md §2).</summary>
internal static class PdkMethods
{
    // kong.client
    public static readonly byte[] ClientGetIp = "kong.client.get_ip"u8.ToArray();
    public static readonly byte[] ClientGetForwardedIp = "kong.client.get_forwarded_ip"u8.ToArray();
    public static readonly byte[] ClientGetPort = "kong.client.get_port"u8.ToArray();
    public static readonly byte[] ClientGetForwardedPort = "kong.client.get_forwarded_port"u8.ToArray();
    public static readonly byte[] ClientGetCredential = "kong.client.get_credential"u8.ToArray();
    public static readonly byte[] ClientGetConsumer = "kong.client.get_consumer"u8.ToArray();
    public static readonly byte[] ClientLoadConsumer = "kong.client.load_consumer"u8.ToArray();
    public static readonly byte[] ClientAuthenticate = "kong.client.authenticate"u8.ToArray();
    public static readonly byte[] ClientGetProtocol = "kong.client.get_protocol"u8.ToArray();

    // kong.client.tls
    public static readonly byte[] ClientTlsRequestClientCertificate = "kong.client.tls.request_client_certificate"u8.ToArray();
    public static readonly byte[] ClientTlsDisableSessionReuse = "kong.client.tls.disable_session_reuse"u8.ToArray();
    public static readonly byte[] ClientTlsGetFullClientCertificateChain = "kong.client.tls.get_full_client_certificate_chain"u8.ToArray();
    public static readonly byte[] ClientTlsSetClientVerify = "kong.client.tls.set_client_verify"u8.ToArray();

    // kong.ctx.shared
    public static readonly byte[] CtxSharedGet = "kong.ctx.shared.get"u8.ToArray();
    public static readonly byte[] CtxSharedSet = "kong.ctx.shared.set"u8.ToArray();

    // kong.ip, kong.node, kong.plugin, kong.cluster
    public static readonly byte[] IpIsTrusted = "kong.ip.is_trusted"u8.ToArray();
    public static readonly byte[] NodeGetId = "kong.node.get_id"u8.ToArray();
    public static readonly byte[] NodeGetMemoryStats = "kong.node.get_memory_stats"u8.ToArray();
    public static readonly byte[] NodeGetHostname = "kong.node.get_hostname"u8.ToArray();
    public static readonly byte[] PluginGetId = "kong.plugin.get_id"u8.ToArray();
    public static readonly byte[] ClusterGetId = "kong.cluster.get_id"u8.ToArray();

    // kong.log
    public static readonly byte[] LogAlert = "kong.log.alert"u8.ToArray();
    public static readonly byte[] LogCrit = "kong.log.crit"u8.ToArray();
    public static readonly byte[] LogErr = "kong.log.err"u8.ToArray();
    public static readonly byte[] LogWarn = "kong.log.warn"u8.ToArray();
    public static readonly byte[] LogNotice = "kong.log.notice"u8.ToArray();
    public static readonly byte[] LogInfo = "kong.log.info"u8.ToArray();
    public static readonly byte[] LogDebug = "kong.log.debug"u8.ToArray();
    public static readonly byte[] LogDeprecation = "kong.log.deprecation"u8.ToArray();
    public static readonly byte[] LogSerialize = "kong.log.serialize"u8.ToArray();
    public static readonly byte[] LogSetSerializeValue = "kong.log.set_serialize_value"u8.ToArray();

    // kong.nginx
    public static readonly byte[] NginxGetVar = "kong.nginx.get_var"u8.ToArray();
    public static readonly byte[] NginxGetTls1VersionStr = "kong.nginx.get_tls1_version_str"u8.ToArray();
    public static readonly byte[] NginxGetCtx = "kong.nginx.get_ctx"u8.ToArray();
    public static readonly byte[] NginxSetCtx = "kong.nginx.set_ctx"u8.ToArray();
    public static readonly byte[] NginxReqStartTime = "kong.nginx.req_start_time"u8.ToArray();
    public static readonly byte[] NginxGetSubsystem = "kong.nginx.get_subsystem"u8.ToArray();
    public static readonly byte[] NginxGetStatistics = "kong.nginx.get_statistics"u8.ToArray();

    // kong.request
    public static readonly byte[] RequestGetScheme = "kong.request.get_scheme"u8.ToArray();
    public static readonly byte[] RequestGetHost = "kong.request.get_host"u8.ToArray();
    public static readonly byte[] RequestGetPort = "kong.request.get_port"u8.ToArray();
    public static readonly byte[] RequestGetForwardedScheme = "kong.request.get_forwarded_scheme"u8.ToArray();
    public static readonly byte[] RequestGetForwardedHost = "kong.request.get_forwarded_host"u8.ToArray();
    public static readonly byte[] RequestGetForwardedPort = "kong.request.get_forwarded_port"u8.ToArray();
    public static readonly byte[] RequestGetForwardedPath = "kong.request.get_forwarded_path"u8.ToArray();
    public static readonly byte[] RequestGetForwardedPrefix = "kong.request.get_forwarded_prefix"u8.ToArray();
    public static readonly byte[] RequestGetHttpVersion = "kong.request.get_http_version"u8.ToArray();
    public static readonly byte[] RequestGetMethod = "kong.request.get_method"u8.ToArray();
    public static readonly byte[] RequestGetPath = "kong.request.get_path"u8.ToArray();
    public static readonly byte[] RequestGetRawPath = "kong.request.get_raw_path"u8.ToArray();
    public static readonly byte[] RequestGetPathWithQuery = "kong.request.get_path_with_query"u8.ToArray();
    public static readonly byte[] RequestGetRawQuery = "kong.request.get_raw_query"u8.ToArray();
    public static readonly byte[] RequestGetStartTime = "kong.request.get_start_time"u8.ToArray();
    public static readonly byte[] RequestGetQueryArg = "kong.request.get_query_arg"u8.ToArray();
    public static readonly byte[] RequestGetQuery = "kong.request.get_query"u8.ToArray();
    public static readonly byte[] RequestGetHeader = "kong.request.get_header"u8.ToArray();
    public static readonly byte[] RequestGetHeaders = "kong.request.get_headers"u8.ToArray();
    public static readonly byte[] RequestGetRawBody = "kong.request.get_raw_body"u8.ToArray();
    public static readonly byte[] RequestGetBody = "kong.request.get_body"u8.ToArray();
    public static readonly byte[] RequestGetUriCaptures = "kong.request.get_uri_captures"u8.ToArray();

    // kong.response
    public static readonly byte[] ResponseGetStatus = "kong.response.get_status"u8.ToArray();
    public static readonly byte[] ResponseGetHeader = "kong.response.get_header"u8.ToArray();
    public static readonly byte[] ResponseGetHeaders = "kong.response.get_headers"u8.ToArray();
    public static readonly byte[] ResponseGetSource = "kong.response.get_source"u8.ToArray();
    public static readonly byte[] ResponseSetStatus = "kong.response.set_status"u8.ToArray();
    public static readonly byte[] ResponseSetHeader = "kong.response.set_header"u8.ToArray();
    public static readonly byte[] ResponseAddHeader = "kong.response.add_header"u8.ToArray();
    public static readonly byte[] ResponseClearHeader = "kong.response.clear_header"u8.ToArray();
    public static readonly byte[] ResponseSetHeaders = "kong.response.set_headers"u8.ToArray();
    public static readonly byte[] ResponseExit = "kong.response.exit"u8.ToArray();
    public static readonly byte[] ResponseError = "kong.response.error"u8.ToArray();

    // kong.router
    public static readonly byte[] RouterGetRoute = "kong.router.get_route"u8.ToArray();
    public static readonly byte[] RouterGetService = "kong.router.get_service"u8.ToArray();

    // kong.service
    public static readonly byte[] ServiceSetUpstream = "kong.service.set_upstream"u8.ToArray();
    public static readonly byte[] ServiceSetTarget = "kong.service.set_target"u8.ToArray();
    public static readonly byte[] ServiceSetRetries = "kong.service.set_retries"u8.ToArray();
    public static readonly byte[] ServiceSetTimeouts = "kong.service.set_timeouts"u8.ToArray();
    public static readonly byte[] ServiceSetTlsVerify = "kong.service.set_tls_verify"u8.ToArray();
    public static readonly byte[] ServiceSetTlsVerifyDepth = "kong.service.set_tls_verify_depth"u8.ToArray();

    // kong.service.request
    public static readonly byte[] ServiceRequestEnableBuffering = "kong.service.request.enable_buffering"u8.ToArray();
    public static readonly byte[] ServiceRequestSetScheme = "kong.service.request.set_scheme"u8.ToArray();
    public static readonly byte[] ServiceRequestSetPath = "kong.service.request.set_path"u8.ToArray();
    public static readonly byte[] ServiceRequestSetRawQuery = "kong.service.request.set_raw_query"u8.ToArray();
    public static readonly byte[] ServiceRequestSetMethod = "kong.service.request.set_method"u8.ToArray();
    public static readonly byte[] ServiceRequestSetQuery = "kong.service.request.set_query"u8.ToArray();
    public static readonly byte[] ServiceRequestClearQueryArg = "kong.service.request.clear_query_arg"u8.ToArray();
    public static readonly byte[] ServiceRequestSetHeader = "kong.service.request.set_header"u8.ToArray();
    public static readonly byte[] ServiceRequestAddHeader = "kong.service.request.add_header"u8.ToArray();
    public static readonly byte[] ServiceRequestClearHeader = "kong.service.request.clear_header"u8.ToArray();
    public static readonly byte[] ServiceRequestSetHeaders = "kong.service.request.set_headers"u8.ToArray();
    public static readonly byte[] ServiceRequestSetRawBody = "kong.service.request.set_raw_body"u8.ToArray();
    public static readonly byte[] ServiceRequestSetBody = "kong.service.request.set_body"u8.ToArray();

    // kong.service.response
    public static readonly byte[] ServiceResponseGetStatus = "kong.service.response.get_status"u8.ToArray();
    public static readonly byte[] ServiceResponseGetHeader = "kong.service.response.get_header"u8.ToArray();
    public static readonly byte[] ServiceResponseGetHeaders = "kong.service.response.get_headers"u8.ToArray();
    public static readonly byte[] ServiceResponseGetRawBody = "kong.service.response.get_raw_body"u8.ToArray();
    public static readonly byte[] ServiceResponseGetBody = "kong.service.response.get_body"u8.ToArray();

    // kong.vault
    public static readonly byte[] VaultGet = "kong.vault.get"u8.ToArray();
    public static readonly byte[] VaultIsReference = "kong.vault.is_reference"u8.ToArray();
    public static readonly byte[] VaultParseReference = "kong.vault.parse_reference"u8.ToArray();
    public static readonly byte[] VaultUpdate = "kong.vault.update"u8.ToArray();
    public static readonly byte[] VaultFlush = "kong.vault.flush"u8.ToArray();

    // kong.telemetry
    public static readonly byte[] TelemetryLog = "kong.telemetry.log"u8.ToArray();
}
