namespace Kong.Pdk.Protocol;

/// <summary>
/// The error strings Kong reads. Kong matches only <c>no plugin instance</c> (lower-cased, as a substring): it
/// then forgets every instance of the plugin and runs the phase again, so that text appears in exactly one
/// place, the answer to a HandleEvent for an unknown instance (kong-protocol.md §4.5).
/// </summary>
internal static class WireErrors
{
    public const string NoPluginInstancePrefix = "no plugin instance ";
    public const string NoRunningEventPrefix = "no running event ";

    public static string NoPluginInstance(long id) => NoPluginInstancePrefix + id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string NoRunningEvent(long id) => NoRunningEventPrefix + id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string MethodNotImplemented(string method) => "method " + method + " not implemented";

    public static string InstanceNotFound(long id) => "instance " + id.ToString(System.Globalization.CultureInfo.InvariantCulture) + " is not running";

    public static string UnknownPlugin(string name) => "plugin '" + name + "' is not served by this plugin server";

    public static string BadParams(string method, string detail) => "bad params for " + method + ": " + detail;

    public const string TooManyEvents = "too many events in flight";

    /// <summary>What an error shows in place of a field name that is not shaped like a field path.</summary>
    public const string HiddenConfigField = "(a field; its name is not shown)";

    /// <summary>What an error names as the field of a <c>KongConfigException</c> that did not come from the binder:
    /// the field only when it is shaped like a field path (<see cref="IsConfigFieldPath"/>), since user code sets it
    /// and anything else (a value, a map key, a sentence) may hold a secret.</summary>
    public static string ConfigFieldPath(string field) => IsConfigFieldPath(field) ? field : HiddenConfigField;

    /// <summary>Whether <paramref name="field"/> is shaped like a field path: names of letters, digits, <c>_</c> and
    /// <c>-</c> (what a configuration field's name may hold), joined by dots, with <c>[n]</c> indexes and the
    /// <c>&lt;key&gt;</c> placeholder of a map value; at most 200 characters.</summary>
    public static bool IsConfigFieldPath(string field)
    {
        bool shaped = field.Length is > 0 and <= 200;
        bool segmentStart = true;
        for (int i = 0; shaped && i < field.Length; i++)
        {
            char c = field[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            {
                segmentStart = false;
            }
            else if (c == '.' && !segmentStart)
            {
                segmentStart = true;
            }
            else if (c == '[' && !segmentStart)
            {
                int end = field.IndexOf(']', i);
                shaped = end > i + 1 && field.AsSpan(i + 1, end - i - 1).IndexOfAnyExceptInRange('0', '9') < 0;
                i = end;
            }
            else if (c == '<' && segmentStart && field.AsSpan(i).StartsWith("<key>"))
            {
                i += 4;
                segmentStart = false;
            }
            else
            {
                shaped = false;
            }
        }

        return shaped && !segmentStart;
    }

    /// <summary>Keeps <c>no plugin instance</c> out of an error that is not about an unknown instance (for example a
    /// plugin's own exception message), so that Kong does not reset every instance because of it.</summary>
    public static string Sanitize(string error)
        => error.Contains("no plugin instance", StringComparison.OrdinalIgnoreCase)
            ? System.Text.RegularExpressions.Regex.Replace(error, "no plugin instance", "no plugin-instance", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)
            : error;
}
