using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Kong.Pdk.Generators.Helpers;

/// <summary>The kind of a <see cref="JsonTree"/> value.</summary>
internal enum JsonTreeKind
{
    Null,
    Boolean,
    Number,
    String,
    Array,
    Object,
}

/// <summary>
/// A parsed JSON value, for the JSON an author writes in an attribute (a condition of <c>[KongConditional]</c>, the
/// raw schema of <c>[KongSchemaJson]</c>). The generator targets netstandard2.0 without System.Text.Json, so this is
/// a small strict RFC 8259 reader: one value, no comments, no trailing commas, no duplicate object keys. Objects keep
/// their key order; <see cref="Write"/> gives compact JSON with the numbers as they were written.
/// </summary>
internal sealed class JsonTree
{
    private JsonTree(JsonTreeKind kind) => Kind = kind;

    public JsonTreeKind Kind { get; }

    /// <summary>The text of a string, the JSON text of a number, <c>true</c>/<c>false</c> for a boolean.</summary>
    public string Text { get; private set; } = string.Empty;

    public List<JsonTree> Items { get; } = new();

    public List<KeyValuePair<string, JsonTree>> Entries { get; } = new();

    public bool IsInteger => Kind == JsonTreeKind.Number && double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
        && Math.Floor(value) == value && Math.Abs(value) <= 9007199254740991d;

    public double Number => double.Parse(Text, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>The value of key <paramref name="key"/> of an object, or <see langword="null"/>.</summary>
    public JsonTree? Get(string key)
    {
        foreach (KeyValuePair<string, JsonTree> entry in Entries)
        {
            if (entry.Key == key)
            {
                return entry.Value;
            }
        }

        return null;
    }

    /// <summary>Parses <paramref name="text"/>; on failure returns <see langword="null"/> and says why.</summary>
    public static JsonTree? Parse(string text, out string? error)
    {
        var reader = new Reader(text);
        try
        {
            reader.SkipSpace();
            JsonTree value = reader.Value(0);
            reader.SkipSpace();
            if (reader.Position != text.Length)
            {
                throw reader.Fail("text after the JSON value");
            }

            error = null;
            return value;
        }
        catch (FormatException ex)
        {
            error = ex.Message;
            return null;
        }
    }

    /// <summary>Compact JSON text.</summary>
    public string Write()
    {
        var builder = new StringBuilder();
        Write(builder);
        return builder.ToString();
    }

    public void Write(StringBuilder builder)
    {
        switch (Kind)
        {
            case JsonTreeKind.Null:
                builder.Append("null");
                break;
            case JsonTreeKind.Boolean:
            case JsonTreeKind.Number:
                builder.Append(Text);
                break;
            case JsonTreeKind.String:
                builder.Append(JsonText.String(Text));
                break;
            case JsonTreeKind.Array:
                builder.Append('[');
                for (int i = 0; i < Items.Count; i++)
                {
                    builder.Append(i > 0 ? "," : string.Empty);
                    Items[i].Write(builder);
                }

                builder.Append(']');
                break;
            default:
                builder.Append('{');
                for (int i = 0; i < Entries.Count; i++)
                {
                    builder.Append(i > 0 ? "," : string.Empty).Append(JsonText.String(Entries[i].Key)).Append(':');
                    Entries[i].Value.Write(builder);
                }

                builder.Append('}');
                break;
        }
    }

    private sealed class Reader
    {
        private const int MaxDepth = 64;
        private readonly string _text;

        public Reader(string text) => _text = text;

        public int Position { get; private set; }

        public FormatException Fail(string what) => new(what + " at character " + (Position + 1).ToString(CultureInfo.InvariantCulture));

        public void SkipSpace()
        {
            while (Position < _text.Length && _text[Position] is ' ' or '\t' or '\n' or '\r')
            {
                Position++;
            }
        }

        public JsonTree Value(int depth)
        {
            if (depth > MaxDepth)
            {
                throw Fail("JSON nested too deeply");
            }

            if (Position >= _text.Length)
            {
                throw Fail("a JSON value is missing");
            }

            char c = _text[Position];
            switch (c)
            {
                case '{':
                {
                    Position++;
                    var tree = new JsonTree(JsonTreeKind.Object);
                    SkipSpace();
                    if (Peek('}'))
                    {
                        return tree;
                    }

                    while (true)
                    {
                        SkipSpace();
                        if (Position >= _text.Length || _text[Position] != '"')
                        {
                            throw Fail("an object key (a string) is expected");
                        }

                        string key = String();
                        foreach (KeyValuePair<string, JsonTree> entry in tree.Entries)
                        {
                            if (entry.Key == key)
                            {
                                throw Fail("the key '" + key + "' appears twice");
                            }
                        }

                        SkipSpace();
                        Expect(':');
                        SkipSpace();
                        tree.Entries.Add(new KeyValuePair<string, JsonTree>(key, Value(depth + 1)));
                        SkipSpace();
                        if (Peek('}'))
                        {
                            return tree;
                        }

                        Expect(',');
                    }
                }

                case '[':
                {
                    Position++;
                    var tree = new JsonTree(JsonTreeKind.Array);
                    SkipSpace();
                    if (Peek(']'))
                    {
                        return tree;
                    }

                    while (true)
                    {
                        SkipSpace();
                        tree.Items.Add(Value(depth + 1));
                        SkipSpace();
                        if (Peek(']'))
                        {
                            return tree;
                        }

                        Expect(',');
                    }
                }

                case '"':
                    return new JsonTree(JsonTreeKind.String) { Text = String() };
                case 't':
                    Word("true");
                    return new JsonTree(JsonTreeKind.Boolean) { Text = "true" };
                case 'f':
                    Word("false");
                    return new JsonTree(JsonTreeKind.Boolean) { Text = "false" };
                case 'n':
                    Word("null");
                    return new JsonTree(JsonTreeKind.Null) { Text = "null" };
                default:
                    if (c == '-' || (c >= '0' && c <= '9'))
                    {
                        return new JsonTree(JsonTreeKind.Number) { Text = Number() };
                    }

                    throw Fail("unexpected '" + c + "'");
            }
        }

        private bool Peek(char c)
        {
            if (Position < _text.Length && _text[Position] == c)
            {
                Position++;
                return true;
            }

            return false;
        }

        private void Expect(char c)
        {
            if (!Peek(c))
            {
                throw Fail("'" + c + "' is expected");
            }
        }

        private void Word(string word)
        {
            if (string.CompareOrdinal(_text, Position, word, 0, word.Length) != 0)
            {
                throw Fail("unexpected '" + _text[Position] + "'");
            }

            Position += word.Length;
        }

        private string Number()
        {
            int start = Position;
            Peek('-');
            if (Peek('0'))
            {
            }
            else if (!Digits())
            {
                throw Fail("a digit is expected");
            }

            if (Peek('.') && !Digits())
            {
                throw Fail("a digit is expected after '.'");
            }

            if (Peek('e') || Peek('E'))
            {
                if (!Peek('+'))
                {
                    Peek('-');
                }

                if (!Digits())
                {
                    throw Fail("a digit is expected in the exponent");
                }
            }

            string text = _text.Substring(start, Position - start);
            if (double.IsInfinity(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture)))
            {
                throw Fail("the number is too large");
            }

            return text;
        }

        private bool Digits()
        {
            int start = Position;
            while (Position < _text.Length && _text[Position] >= '0' && _text[Position] <= '9')
            {
                Position++;
            }

            return Position > start;
        }

        private string String()
        {
            Position++; // the opening quote
            var builder = new StringBuilder();
            while (true)
            {
                if (Position >= _text.Length)
                {
                    throw Fail("the string is not closed");
                }

                char c = _text[Position++];
                if (c == '"')
                {
                    return builder.ToString();
                }

                if (c < 0x20)
                {
                    throw Fail("a control character must be escaped in a string");
                }

                if (c != '\\')
                {
                    builder.Append(c);
                    continue;
                }

                if (Position >= _text.Length)
                {
                    throw Fail("the string is not closed");
                }

                char escape = _text[Position++];
                switch (escape)
                {
                    case '"': builder.Append('"'); break;
                    case '\\': builder.Append('\\'); break;
                    case '/': builder.Append('/'); break;
                    case 'b': builder.Append('\b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'n': builder.Append('\n'); break;
                    case 'r': builder.Append('\r'); break;
                    case 't': builder.Append('\t'); break;
                    case 'u':
                        if (Position + 4 > _text.Length
                            || !int.TryParse(_text.Substring(Position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
                        {
                            throw Fail("'\\u' needs four hex digits");
                        }

                        builder.Append((char)code);
                        Position += 4;
                        break;
                    default:
                        throw Fail("'\\" + escape + "' is not a JSON escape");
                }
            }
        }
    }
}
