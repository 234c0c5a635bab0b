using System.ComponentModel;
using System.Globalization;
using System.Text.Json;

namespace Kong.Pdk.Hosting;

/// <summary>
/// The reading helpers of the generated configuration binders: one copy in the runtime instead of one per plugin.
/// Every exception they create names the field's path and what was expected, and never a value, a map key or a piece
/// of the JSON: Kong sends resolved secrets in the configuration (kong-protocol.md §2.4), and these messages reach
/// Kong and the log. Not meant to be called by hand.
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

    /// <summary>A binding error of the field at <paramref name="path"/> (the whole configuration when empty).</summary>
    public static KongConfigException Error(string path, string message)
        => path.Length == 0 ? new KongConfigException(message, innerException: null, fromBinder: true) : new KongConfigException(path, message, fromBinder: true);

    /// <summary>"expected <paramref name="expected"/>, got a string": the kind of the current token, never its value.</summary>
    public static KongConfigException Expected(ref Utf8JsonReader reader, string path, string expected)
    {
        string actual = reader.TokenType switch
        {
            JsonTokenType.String => "a string",
            JsonTokenType.Number => "a number",
            JsonTokenType.True or JsonTokenType.False => "a boolean",
            JsonTokenType.Null => "null",
            JsonTokenType.StartObject => "an object",
            JsonTokenType.StartArray => "an array",
            _ => "something else",
        };
        return Error(path, "expected " + expected + ", got " + actual);
    }

    /// <summary>The configuration is not JSON; says where, not what (the text around the error may be a secret).</summary>
    public static KongConfigException InvalidJson(JsonException exception)
        => Error(string.Empty, "the configuration is not valid JSON (line "
            + ((exception.LineNumber ?? 0) + 1).ToString(CultureInfo.InvariantCulture) + ", byte "
            + ((exception.BytePositionInLine ?? 0) + 1).ToString(CultureInfo.InvariantCulture) + ")");

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
            throw Expected(ref reader, path, "a string");
        }

        return reader.GetString()!;
    }

    /// <summary>Reads <c>true</c> or <c>false</c>.</summary>
    public static bool ReadBoolean(ref Utf8JsonReader reader, string path) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw Expected(ref reader, path, "true or false"),
    };

    /// <summary>Reads a whole number from <paramref name="min"/> to <paramref name="max"/>; Kong's numbers are doubles,
    /// so <c>3.0</c> and <c>1e3</c> are whole numbers too.</summary>
    public static long ReadInteger(ref Utf8JsonReader reader, string path, long min, long max)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw Expected(ref reader, path, "an integer");
        }

        if (!reader.TryGetInt64(out long value))
        {
            if (!reader.TryGetDouble(out double number) || number != Math.Floor(number)
                || number < -9007199254740991d || number > 9007199254740991d)
            {
                throw Expected(ref reader, path, "an integer");
            }

            value = (long)number;
        }

        if (value < min || value > max)
        {
            throw Expected(ref reader, path, "an integer from " + min.ToString(CultureInfo.InvariantCulture) + " to "
                + max.ToString(CultureInfo.InvariantCulture));
        }

        return value;
    }

    /// <summary>Reads a number.</summary>
    public static double ReadNumber(ref Utf8JsonReader reader, string path)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out double value))
        {
            throw Expected(ref reader, path, "a number");
        }

        return value;
    }

    /// <summary>Reads a number as a decimal.</summary>
    public static decimal ReadDecimal(ref Utf8JsonReader reader, string path)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDecimal(out decimal value))
        {
            throw Expected(ref reader, path, "a number");
        }

        return value;
    }

    /// <summary>Reads a UUID string.</summary>
    public static Guid ReadGuid(ref Utf8JsonReader reader, string path)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Expected(ref reader, path, "a UUID string");
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
            throw Expected(ref reader, path, "a URI string");
        }

        if (!Uri.TryCreate(reader.GetString(), UriKind.RelativeOrAbsolute, out Uri? value))
        {
            throw Error(path, "expected a URI string, got a string that is not a URI");
        }

        return value;
    }
}
