using System;
using System.Collections.Generic;

namespace Kong.Pdk.Generators.Analysis;

/// <summary>
/// The phases in which Kong allows each PDK function, by its Lua name, for <c>kong.CallAsync("kong.x.y")</c> with a
/// constant name (KONG0301). The catalogue of kong-protocol.md §6.4, as Kong.Pdk.Testing's fake Kong holds it (a test
/// compares the two); functions allowed in every phase, and names not listed, are never reported. Bit i is
/// <c>KongPhase</c> i.
/// </summary>
internal static class PdkFunctionPhases
{
    private const int C = 1 << 0, RW = 1 << 1, A = 1 << 2, RSP = 1 << 3, P = 1 << 4, L = 1 << 5, None = 0;

    /// <summary>Allowed-phase masks of the functions that some phase forbids.</summary>
    public static readonly IReadOnlyDictionary<string, int> Restricted = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["kong.client.get_ip"] = C | RW | A | RSP,
        ["kong.client.get_forwarded_ip"] = C | RW | A | RSP,
        ["kong.client.get_port"] = C | RW | A | RSP,
        ["kong.client.get_forwarded_port"] = C | RW | A | RSP,
        ["kong.client.get_credential"] = A | RSP | L,
        ["kong.client.get_consumer"] = A | RSP | L,
        ["kong.client.load_consumer"] = A | RSP,
        ["kong.client.authenticate"] = A,
        ["kong.client.get_protocol"] = A | RSP,
        ["kong.client.get_consumer_groups"] = A | RSP,
        ["kong.client.get_consumer_group"] = A | RSP,
        ["kong.client.set_authenticated_consumer_groups"] = A | RSP,
        ["kong.client.authenticate_consumer_group_by_consumer_id"] = A | RSP,
        ["kong.client.tls.request_client_certificate"] = C,
        ["kong.client.tls.disable_session_reuse"] = C,
        ["kong.client.tls.get_full_client_certificate_chain"] = RW | A,
        ["kong.client.tls.set_client_verify"] = RW | A,
        ["kong.plugin.get_id"] = RW | A | RSP | L,
        ["kong.log.set_serialize_value"] = C | RW | A | RSP,
        ["kong.nginx.get_var"] = RW | A | RSP | P,
        ["kong.nginx.get_tls1_version_str"] = C | RW | A | RSP,
        ["kong.request.get_scheme"] = RW | A | RSP,
        ["kong.request.get_host"] = RW | A | RSP,
        ["kong.request.get_port"] = C | RW | A | RSP,
        ["kong.request.get_forwarded_scheme"] = RW | A | RSP,
        ["kong.request.get_forwarded_host"] = RW | A | RSP,
        ["kong.request.get_forwarded_port"] = RW | A | RSP,
        ["kong.request.get_forwarded_path"] = RW | A | RSP,
        ["kong.request.get_forwarded_prefix"] = RW | A | RSP,
        ["kong.request.get_method"] = RW | A | RSP,
        ["kong.request.get_path"] = RW | A | RSP,
        ["kong.request.get_raw_path"] = RW | A | RSP,
        ["kong.request.get_path_with_query"] = RW | A | RSP,
        ["kong.request.get_raw_query"] = RW | A | RSP,
        ["kong.request.get_http_version"] = RW | A | RSP,
        ["kong.request.get_start_time"] = RW | A | RSP,
        ["kong.request.get_query_arg"] = RW | A | RSP,
        ["kong.request.get_query"] = RW | A | RSP,
        ["kong.request.get_header"] = RW | A | RSP | L,
        ["kong.request.get_headers"] = RW | A | RSP | L,
        ["kong.request.get_raw_body"] = RW | A | RSP,
        ["kong.request.get_body"] = RW | A | RSP,
        ["kong.request.get_uri_captures"] = RW | A | RSP | L,
        ["kong.response.get_status"] = RSP | L,
        ["kong.response.get_header"] = RSP | L,
        ["kong.response.get_headers"] = RSP | L,
        ["kong.response.get_source"] = RSP | L,
        ["kong.response.set_status"] = RW | A | RSP,
        ["kong.response.set_header"] = RW | A | RSP,
        ["kong.response.add_header"] = RW | A | RSP,
        ["kong.response.clear_header"] = RW | A | RSP,
        ["kong.response.exit"] = RW | A | RSP,
        ["kong.response.error"] = RW | A | RSP,
        ["kong.response.set_headers"] = RW | A | RSP,
        ["kong.response.get_raw_body"] = None,
        ["kong.response.set_raw_body"] = None,
        ["kong.router.get_route"] = A | RSP | L,
        ["kong.router.get_service"] = A | RSP | L,
        ["kong.service.set_upstream"] = A,
        ["kong.service.set_target"] = RW | A | P,
        ["kong.service.set_retries"] = A,
        ["kong.service.set_timeouts"] = A,
        ["kong.service.set_tls_verify"] = RW | A | P,
        ["kong.service.set_tls_verify_depth"] = RW | A | P,
        ["kong.service.set_tls_cert_key"] = None,
        ["kong.service.set_tls_verify_store"] = None,
        ["kong.service.request.enable_buffering"] = RW | A,
        ["kong.service.request.set_scheme"] = RW | A,
        ["kong.service.request.set_path"] = RW | A,
        ["kong.service.request.set_raw_query"] = RW | A,
        ["kong.service.request.set_method"] = RW | A,
        ["kong.service.request.set_query"] = RW | A,
        ["kong.service.request.clear_query_arg"] = RW | A,
        ["kong.service.request.set_header"] = RW | A,
        ["kong.service.request.add_header"] = RW | A,
        ["kong.service.request.clear_header"] = RW | A,
        ["kong.service.request.set_headers"] = RW | A,
        ["kong.service.request.set_raw_body"] = RW | A,
        ["kong.service.request.set_body"] = RW | A,
        ["kong.service.response.get_status"] = RSP,
        ["kong.service.response.get_header"] = RSP,
        ["kong.service.response.get_headers"] = RSP,
        ["kong.service.response.get_raw_body"] = RSP,
        ["kong.service.response.get_body"] = RSP,
    };
}
