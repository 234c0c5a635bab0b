using System.Collections.Generic;
using System.Text;

// Also compiled into the test projects' Kong schema validator (tests/Kong.Pdk.PackageTests), under its own namespace.
#if KONG_SCHEMA_VALIDATOR
namespace Kong.Pdk.PackageTests;
#else
namespace Kong.Pdk.Generators.Helpers;
#endif

/// <summary>
/// Lua 5.1 patterns as LuaJIT's <c>string.match</c> reads them (Kong's <c>match</c>, <c>not_match</c>,
/// <c>match_all</c>, <c>match_none</c>, <c>match_any</c>). Lua checks a pattern only while it matches, and raises an
/// error where it meets a malformed piece; <see cref="Check"/> finds every such piece without a subject, so that a
/// pattern that would fail on some input fails at compile time. Bytes, not characters, as Lua counts.
/// </summary>
internal static class LuaPattern
{
    private const int MaxCaptures = 32; // LUA_MAXCAPTURES
    private const int Unfinished = -1;
    private const int Position = -2;

    /// <summary>Returns <see langword="null"/> for a valid pattern, or the error Lua raises for it.</summary>
    public static string? Check(string pattern)
    {
        byte[] p = Encoding.UTF8.GetBytes(pattern);
        if (System.Array.IndexOf(p, (byte)0) >= 0)
        {
            return "a Lua pattern cannot hold a NUL character";
        }

        var captures = new List<bool>(); // true once closed
        int i = p.Length > 0 && p[0] == '^' ? 1 : 0;
        while (i < p.Length)
        {
            switch (p[i])
            {
                case (byte)'(':
                    if (captures.Count >= MaxCaptures)
                    {
                        return "too many captures";
                    }

                    i++;
                    if (i < p.Length && p[i] == ')')
                    {
                        captures.Add(true); // position capture
                        i++;
                    }
                    else
                    {
                        captures.Add(false);
                    }

                    continue;
                case (byte)')':
                    int open = captures.LastIndexOf(false);
                    if (open < 0)
                    {
                        return "invalid pattern capture";
                    }

                    captures[open] = true;
                    i++;
                    continue;
                case (byte)'$' when i + 1 == p.Length:
                    i++;
                    continue;
                case (byte)'%' when i + 1 < p.Length && p[i + 1] == 'b':
                    if (i + 3 >= p.Length)
                    {
                        return "malformed pattern (missing arguments to '%b')";
                    }

                    i += 4;
                    continue;
                case (byte)'%' when i + 1 < p.Length && p[i + 1] == 'f':
                    i += 2;
                    if (i >= p.Length || p[i] != '[')
                    {
                        return "missing '[' after '%f' in pattern";
                    }

                    string? frontier = ClassEnd(p, i, out i);
                    if (frontier is not null)
                    {
                        return frontier;
                    }

                    continue;
                case (byte)'%' when i + 1 < p.Length && p[i + 1] >= '0' && p[i + 1] <= '9':
                    int index = p[i + 1] - '1';
                    if (index < 0 || index >= captures.Count || !captures[index])
                    {
                        return "invalid capture index %" + (char)p[i + 1];
                    }

                    i += 2;
                    continue;
                default:
                    string? error = ClassEnd(p, i, out i);
                    if (error is not null)
                    {
                        return error;
                    }

                    if (i < p.Length && p[i] is (byte)'*' or (byte)'+' or (byte)'-' or (byte)'?')
                    {
                        i++;
                    }

                    continue;
            }
        }

        return captures.Contains(false) ? "unfinished capture" : null;
    }

    /// <summary>Whether <c>subject:match(pattern)</c> finds a match; <see langword="null"/> when the pattern is invalid
    /// or the match takes too many steps to decide.</summary>
    public static bool? IsMatch(string subject, string pattern)
    {
        if (Check(pattern) is not null)
        {
            return null;
        }

        var state = new Matcher(Encoding.UTF8.GetBytes(subject), Encoding.UTF8.GetBytes(pattern));
        return state.Find();
    }

    private static string? ClassEnd(byte[] p, int i, out int end)
    {
        end = i + 1;
        if (p[i] == '%')
        {
            if (i + 1 >= p.Length)
            {
                return "malformed pattern (ends with '%')";
            }

            end = i + 2;
            return null;
        }

        if (p[i] == '[')
        {
            int j = i + 1;
            if (j < p.Length && p[j] == '^')
            {
                j++;
            }

            do
            {
                if (j >= p.Length)
                {
                    return "malformed pattern (missing ']')";
                }

                byte c = p[j++];
                if (c == '%')
                {
                    if (j >= p.Length)
                    {
                        return "malformed pattern (missing ']')";
                    }

                    j++;
                }
            }
            while (j >= p.Length || p[j] != ']');

            end = j + 1;
        }

        return null;
    }

    private static bool MatchClass(byte c, byte cl)
    {
        bool result;
        switch (cl | 0x20)
        {
            case 'a': result = IsAlpha(c); break;
            case 'c': result = c < 32 || c == 127; break;
            case 'd': result = c is >= (byte)'0' and <= (byte)'9'; break;
            case 'l': result = c is >= (byte)'a' and <= (byte)'z'; break;
            case 'p': result = c is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126; break;
            case 's': result = c is (byte)' ' or >= 9 and <= 13; break;
            case 'u': result = c is >= (byte)'A' and <= (byte)'Z'; break;
            case 'w': result = IsAlpha(c) || c is >= (byte)'0' and <= (byte)'9'; break;
            case 'x': result = c is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F'; break;
            case 'z': result = c == 0; break;
            default: return cl == c;
        }

        return IsAlpha(cl) && cl < 'a' ? !result : result;
    }

    private static bool IsAlpha(byte c) => c is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z';

    /// <summary>A backtracking matcher with Lua 5.1's semantics, bounded in steps.</summary>
    private sealed class Matcher
    {
        private const int StepLimit = 1_000_000;
        private readonly byte[] _s;
        private readonly byte[] _p;
        private readonly int[] _captureStart = new int[MaxCaptures];
        private readonly int[] _captureLength = new int[MaxCaptures];
        private int _level;
        private int _steps;

        public Matcher(byte[] subject, byte[] pattern)
        {
            _s = subject;
            _p = pattern;
        }

        public bool? Find()
        {
            bool anchor = _p.Length > 0 && _p[0] == '^';
            int start = 0;
            do
            {
                _level = 0;
                if (Match(start, anchor ? 1 : 0) >= 0)
                {
                    return true;
                }

                if (_steps > StepLimit)
                {
                    return null;
                }

                start++;
            }
            while (start <= _s.Length && !anchor);

            return false;
        }

        private int Match(int s, int p)
        {
            while (true)
            {
                if (++_steps > StepLimit)
                {
                    return -1;
                }

                if (p == _p.Length)
                {
                    return s;
                }

                switch (_p[p])
                {
                    case (byte)'(':
                        return p + 1 < _p.Length && _p[p + 1] == ')' ? StartCapture(s, p + 2, Position) : StartCapture(s, p + 1, Unfinished);
                    case (byte)')':
                        return EndCapture(s, p + 1);
                    case (byte)'$' when p + 1 == _p.Length:
                        return s == _s.Length ? s : -1;
                    case (byte)'%' when _p[p + 1] == 'b':
                        s = MatchBalance(s, p + 2);
                        if (s < 0)
                        {
                            return -1;
                        }

                        p += 4;
                        continue;
                    case (byte)'%' when _p[p + 1] == 'f':
                        p += 2;
                        ClassEnd(_p, p, out int frontierEnd);
                        byte previous = s == 0 ? (byte)0 : _s[s - 1];
                        byte current = s < _s.Length ? _s[s] : (byte)0;
                        if (!MatchBracket(previous, p, frontierEnd - 1) && MatchBracket(current, p, frontierEnd - 1))
                        {
                            p = frontierEnd;
                            continue;
                        }

                        return -1;
                    case (byte)'%' when _p[p + 1] >= '0' && _p[p + 1] <= '9':
                        s = MatchCapture(s, _p[p + 1] - '1');
                        if (s < 0)
                        {
                            return -1;
                        }

                        p += 2;
                        continue;
                }

                ClassEnd(_p, p, out int ep);
                bool m = s < _s.Length && SingleMatch(_s[s], p, ep);
                if (ep < _p.Length)
                {
                    switch (_p[ep])
                    {
                        case (byte)'?':
                            if (m)
                            {
                                int r = Match(s + 1, ep + 1);
                                if (r >= 0)
                                {
                                    return r;
                                }
                            }

                            p = ep + 1;
                            continue;
                        case (byte)'*':
                            return MaxExpand(s, p, ep);
                        case (byte)'+':
                            return m ? MaxExpand(s + 1, p, ep) : -1;
                        case (byte)'-':
                            return MinExpand(s, p, ep);
                    }
                }

                if (!m)
                {
                    return -1;
                }

                s++;
                p = ep;
            }
        }

        private bool SingleMatch(byte c, int p, int ep) => _p[p] switch
        {
            (byte)'.' => true,
            (byte)'%' => MatchClass(c, _p[p + 1]),
            (byte)'[' => MatchBracket(c, p, ep - 1),
            _ => _p[p] == c,
        };

        private bool MatchBracket(byte c, int p, int ec)
        {
            bool sig = true;
            if (_p[p + 1] == '^')
            {
                sig = false;
                p++;
            }

            while (++p < ec)
            {
                if (_p[p] == '%')
                {
                    p++;
                    if (MatchClass(c, _p[p]))
                    {
                        return sig;
                    }
                }
                else if (_p[p + 1] == '-' && p + 2 < ec)
                {
                    p += 2;
                    if (_p[p - 2] <= c && c <= _p[p])
                    {
                        return sig;
                    }
                }
                else if (_p[p] == c)
                {
                    return sig;
                }
            }

            return !sig;
        }

        private int MaxExpand(int s, int p, int ep)
        {
            int i = 0;
            while (s + i < _s.Length && SingleMatch(_s[s + i], p, ep))
            {
                i++;
            }

            while (i >= 0)
            {
                int r = Match(s + i, ep + 1);
                if (r >= 0)
                {
                    return r;
                }

                i--;
            }

            return -1;
        }

        private int MinExpand(int s, int p, int ep)
        {
            while (true)
            {
                int r = Match(s, ep + 1);
                if (r >= 0)
                {
                    return r;
                }

                if (s < _s.Length && SingleMatch(_s[s], p, ep) && _steps <= StepLimit)
                {
                    s++;
                }
                else
                {
                    return -1;
                }
            }
        }

        private int StartCapture(int s, int p, int what)
        {
            _captureStart[_level] = s;
            _captureLength[_level] = what;
            _level++;
            int r = Match(s, p);
            if (r < 0)
            {
                _level--;
            }

            return r;
        }

        private int EndCapture(int s, int p)
        {
            int l = _level - 1;
            while (l >= 0 && _captureLength[l] != Unfinished)
            {
                l--;
            }

            _captureLength[l] = s - _captureStart[l];
            int r = Match(s, p);
            if (r < 0)
            {
                _captureLength[l] = Unfinished;
            }

            return r;
        }

        private int MatchBalance(int s, int p)
        {
            if (s >= _s.Length || _s[s] != _p[p])
            {
                return -1;
            }

            byte open = _p[p], close = _p[p + 1];
            int depth = 1;
            while (++s < _s.Length)
            {
                if (_s[s] == close)
                {
                    if (--depth == 0)
                    {
                        return s + 1;
                    }
                }
                else if (_s[s] == open)
                {
                    depth++;
                }
            }

            return -1;
        }

        private int MatchCapture(int s, int l)
        {
            int length = _captureLength[l] == Position ? 0 : _captureLength[l];
            if (_s.Length - s < length)
            {
                return -1;
            }

            for (int i = 0; i < length; i++)
            {
                if (_s[_captureStart[l] + i] != _s[s + i])
                {
                    return -1;
                }
            }

            return s + length;
        }
    }
}
