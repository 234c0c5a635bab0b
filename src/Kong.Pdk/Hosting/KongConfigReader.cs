using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Kong.Pdk.Protocol;

namespace Kong.Pdk.Hosting;

/// <summary>
/// The reading helpers of the generated configuration binders: one copy in the runtime instead of one per plugin.
/// Every exception they create names the field's path and what was expected, and never a value, a map key or a piece
/// of the JSON: Kong sends resolved secrets in the configuration (kong-protocol.md §2.4), and these messages reach
/// Kong and the log as they are. So no public member takes a message: each composes its own from fixed texts, the
/// field's path (shown only when it is shaped like a path) and, for an integer, the bounds of its .NET type. Not meant
/// to be called by hand.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class KongConfigReader
{
    /// <summary>The path of a map value: the key itself may be a secret, so it is never part of a path.</summary>
    public const string MapKeyPlaceholder = "<key>";

    /// <summary>The path of field <paramref name="name"/> of the record at <paramref name="parent"/>.</summary>
    public static string Path(string parent, string name) => parent.Length == 0 ? name : parent + "." + name;

    /// <summary>The path of element <paramref name="index"/> of the array at <paramref name="parent"/>.</summary>
    public static string Item(string parent, int index) => parent + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";

    /// <summary>The path of any value of the map at <paramref name="parent"/>.</summary>
    public static string MapValue(string parent) => Path(parent, MapKeyPlaceholder);

    /// <summary>"expected <paramref name="expected"/>, got <paramref name="actual"/>" for the field at
    /// <paramref name="path"/>: fixed texts only, and the path only when it is shaped like one.</summary>
    /// <param name="path">The field's path (<see cref="Path"/>, <see cref="Item"/>, <see cref="MapValue"/>).</param>
    /// <param name="expected">What the field takes.</param>
    /// <param name="actual">The kind of token found (never its value).</param>
    public static KongConfigException Mismatch(string path, KongConfigExpectation expected, JsonTokenType actual)
    {
        string got = actual switch
        {
            JsonTokenType.String when expected is KongConfigExpectation.OneOf or KongConfigExpectation.Uuid or KongConfigExpectation.Uri => "another string",
            JsonTokenType.String => "a string",
            JsonTokenType.Number => "a number",
            JsonTokenType.True or JsonTokenType.False => "a boolean",
            JsonTokenType.Null => "null",
            JsonTokenType.StartObject => "an object",
            JsonTokenType.StartArray => "an array",
            _ => "something else",
        };
        return Error(path, "expected " + Describe(expected) + ", got " + got);
    }

    /// <summary>"the field is required but missing" for the field at <paramref name="path"/> (shown only when it is
    /// shaped like a path).</summary>
    public static KongConfigException Missing(string path) => Error(path, "the field is required but missing");

    /// <summary>"the configuration is empty".</summary>
    public static KongConfigException EmptyConfiguration() => Error(string.Empty, "the configuration is empty");

    /// <summary>
    /// What the binder throws for <paramref name="exception"/>: a binder error as it is; anything else (an exception
    /// from a configuration constructor or property setter, whose message may hold the value it was given) as an error
    /// that names only the exception's type.
    /// </summary>
    public static KongConfigException Wrap(Exception exception)
        => exception is KongConfigException { FromBinder: true } config
            ? config
            : exception is JsonException json
                ? InvalidJson(json)
                : Error(string.Empty, "the configuration type threw " + exception.GetType().FullName + " while the configuration was bound");

    /// <summary>A binding error of the field at <paramref name="path"/> (the whole configuration when empty). Internal,
    /// like every member that takes a message: the public ones compose theirs from fixed texts, so no caller can
    /// have its own text sent to Kong as a binder error. A path not shaped like one is not shown.</summary>
    internal static KongConfigException Error(string path, string message)
        => path.Length == 0 ? new KongConfigException(message, innerException: null, fromBinder: true)
            : WireErrors.IsConfigFieldPath(path) ? new KongConfigException(path, message, fromBinder: true)
            : new KongConfigException("invalid config field '" + WireErrors.HiddenConfigField + "': " + message, innerException: null, fromBinder: true);

    /// <summary>"expected <paramref name="expected"/>, got a string": the kind of the current token, never its value.</summary>
    internal static KongConfigException Expected(ref Utf8JsonReader reader, string path, KongConfigExpectation expected)
        => Mismatch(path, expected, reader.TokenType);

    /// <summary>The configuration is not JSON; says where, not what (the text around the error may be a secret).</summary>
    internal static KongConfigException InvalidJson(JsonException exception)
        => Error(string.Empty, "the configuration is not valid JSON (line "
            + ((exception.LineNumber ?? 0) + 1).ToString(CultureInfo.InvariantCulture) + ", byte "
            + ((exception.BytePositionInLine ?? 0) + 1).ToString(CultureInfo.InvariantCulture) + ")");

    private static string Describe(KongConfigExpectation expected) => expected switch
    {
        KongConfigExpectation.Object => "an object",
        KongConfigExpectation.Array => "an array",
        KongConfigExpectation.String => "a string",
        KongConfigExpectation.Boolean => "true or false",
        KongConfigExpectation.Integer => "an integer",
        KongConfigExpectation.Number => "a number",
        KongConfigExpectation.Uuid => "a UUID string",
        KongConfigExpectation.Uri => "a URI string",
        KongConfigExpectation.OneOf => "one of the values the field's schema lists",
        _ => "another value",
    };

    /// <summary>The range of an integer field as the error states it: the bounds of the .NET integer types (the
    /// only ranges the generated binders pass), any other pair is not shown (a caller chooses it).</summary>
    private static string DescribeRange(long min, long max)
    {
        bool known = (min, max) switch
        {
            (sbyte.MinValue, sbyte.MaxValue) or (byte.MinValue, byte.MaxValue) or (short.MinValue, short.MaxValue)
                or (ushort.MinValue, ushort.MaxValue) or (int.MinValue, int.MaxValue) or (uint.MinValue, uint.MaxValue)
                or (long.MinValue, long.MaxValue) or (0, long.MaxValue) => true,
            _ => false,
        };
        return known
            ? "an integer from " + min.ToString(CultureInfo.InvariantCulture) + " to " + max.ToString(CultureInfo.InvariantCulture)
            : "an integer in the field's range";
    }

    /// <summary>Checks that nothing but whitespace follows the root object.</summary>
    public static void EnsureEnd(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw Error(string.Empty, "the configuration has data after its root object");
        }
    }

    /// <summary>Reads a string.</summary>
    public static string ReadString(ref Utf8JsonReader reader, string path)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Expected(ref reader, path, KongConfigExpectation.String);
        }

        return reader.GetString()!;
    }

    /// <summary>Reads <c>true</c> or <c>false</c>.</summary>
    public static bool ReadBoolean(ref Utf8JsonReader reader, string path) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw Expected(ref reader, path, KongConfigExpectation.Boolean),
    };

    /// <summary>Reads a whole number from <paramref name="min"/> to <paramref name="max"/>; Kong's numbers are doubles,
    /// so <c>3.0</c> and <c>1e3</c> are whole numbers too.</summary>
    public static long ReadInteger(ref Utf8JsonReader reader, string path, long min, long max)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw Expected(ref reader, path, KongConfigExpectation.Integer);
        }

        if (!reader.TryGetInt64(out long value))
        {
            if (!reader.TryGetDouble(out double number) || number != Math.Floor(number)
                || number < -9007199254740991d || number > 9007199254740991d)
            {
                throw Expected(ref reader, path, KongConfigExpectation.Integer);
            }

            value = (long)number;
        }

        if (value < min || value > max)
        {
            throw Error(path, "expected " + DescribeRange(min, max) + ", got a number");
        }

        return value;
    }

    /// <summary>Reads a number.</summary>
    public static double ReadNumber(ref Utf8JsonReader reader, string path)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out double value))
        {
            throw Expected(ref reader, path, KongConfigExpectation.Number);
        }

        return value;
    }

    /// <summary>Reads a number as a decimal.</summary>
    public static decimal ReadDecimal(ref Utf8JsonReader reader, string path)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDecimal(out decimal value))
        {
            throw Expected(ref reader, path, KongConfigExpectation.Number);
        }

        return value;
    }

    /// <summary>Reads a UUID string.</summary>
    public static Guid ReadGuid(ref Utf8JsonReader reader, string path)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Expected(ref reader, path, KongConfigExpectation.Uuid);
        }

        if (!Guid.TryParse(reader.GetString(), out Guid value))
        {
            throw Error(path, "expected a UUID string, got a string that is not a UUID");
        }

        return value;
    }

    /// <summary>Reads an absolute or relative URI string.</summary>
    public static Uri ReadUri(ref Utf8JsonReader reader, string path)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Expected(ref reader, path, KongConfigExpectation.Uri);
        }

        if (!Uri.TryCreate(reader.GetString(), UriKind.RelativeOrAbsolute, out Uri? value))
        {
            throw Error(path, "expected a URI string, got a string that is not a URI");
        }

        return value;
    }
}
