namespace Kong.Pdk.Pdk;

/// <summary>Every Kong PDK function name the typed API calls, as UTF-8, in one place.</summary>
internal static class PdkMethods
{
    public static readonly byte[] RequestGetHeader = "kong.request.get_header"u8.ToArray();
    public static readonly byte[] RequestGetHeaders = "kong.request.get_headers"u8.ToArray();
    public static readonly byte[] RequestGetPath = "kong.request.get_path"u8.ToArray();

    public static readonly byte[] ResponseSetHeader = "kong.response.set_header"u8.ToArray();
    public static readonly byte[] ResponseSetHeaders = "kong.response.set_headers"u8.ToArray();
    public static readonly byte[] ResponseExit = "kong.response.exit"u8.ToArray();
    public static readonly byte[] ResponseError = "kong.response.error"u8.ToArray();

    public static readonly byte[] LogAlert = "kong.log.alert"u8.ToArray();
    public static readonly byte[] LogCrit = "kong.log.crit"u8.ToArray();
    public static readonly byte[] LogErr = "kong.log.err"u8.ToArray();
    public static readonly byte[] LogWarn = "kong.log.warn"u8.ToArray();
    public static readonly byte[] LogNotice = "kong.log.notice"u8.ToArray();
    public static readonly byte[] LogInfo = "kong.log.info"u8.ToArray();
    public static readonly byte[] LogDebug = "kong.log.debug"u8.ToArray();
}
