using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Kong.Pdk.TestSupport;

/// <summary>
/// A test that needs the LuaJIT interpreter (apt package <c>luajit</c>). Without it the test is skipped with that
/// reason, except under CI (<c>CI=true</c>), where .ci/run installs it and its absence is a failure.
/// </summary>
public sealed class LuaJitFactAttribute : FactAttribute
{
    public LuaJitFactAttribute()
    {
        if (LuaSchemaRoundTrip.LuaJitPath is null && !LuaSchemaRoundTrip.InCi)
        {
            Skip = "luajit is not installed (apt-get install -y luajit); CI installs it and runs this test";
        }
    }
}

/// <summary>
/// Loads a schema.lua module with LuaJIT and compares the table it returns with the <c>-dump</c> schema JSON, value by
/// value: every object key, array element, string byte, number, boolean and null. Lua has one empty table for
/// <c>[]</c> and <c>{}</c>, as cjson decodes both; that is the only difference allowed.
/// </summary>
public static class LuaSchemaRoundTrip
{
    /// <summary>Prints the module's value as JSON, every string (keys too) as the hex of its bytes, so the comparison
    /// sees Lua's bytes and not a second escaping scheme. <c>ngx.null</c> is a sentinel printed as null.</summary>
    private const string Serializer = """
        local NULL = setmetatable({}, { __tostring = function() return "ngx.null" end })
        ngx = { null = NULL }
        local value = dofile(arg[1])
        local out = {}
        local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
        local function emit(v)
          local t = type(v)
          if v == NULL then out[#out + 1] = "null"
          elseif t == "string" then out[#out + 1] = '"' .. hex(v) .. '"'
          elseif t == "boolean" then out[#out + 1] = tostring(v)
          elseif t == "number" then
            if v ~= v or v == math.huge or v == -math.huge then error("non-finite number") end
            out[#out + 1] = string.format("%.17g", v)
          elseif t == "table" then
            local n = 0
            for _ in pairs(v) do n = n + 1 end
            local sequence = n > 0
            for i = 1, n do if v[i] == nil then sequence = false break end end
            if sequence then
              out[#out + 1] = "["
              for i = 1, n do if i > 1 then out[#out + 1] = "," end emit(v[i]) end
              out[#out + 1] = "]"
            else
              out[#out + 1] = "{"
              local first = true
              for k, x in pairs(v) do
                if type(k) ~= "string" then error("a key that is not a string: " .. tostring(k)) end
                if not first then out[#out + 1] = "," end
                first = false
                out[#out + 1] = '"' .. hex(k) .. '":'
                emit(x)
              end
              out[#out + 1] = "}"
            end
          else error("unexpected Lua value of type " .. t) end
        end
        emit(value)
        io.write(table.concat(out))
        """;

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? LuaJitPath { get; } = Find();

    /// <summary>Runs <paramref name="luaModule"/> under LuaJIT and asserts it returns <paramref name="expected"/>.</summary>
    public static void AssertSame(JsonElement expected, string luaModule)
    {
        Assert.True(LuaJitPath is not null, "luajit is required under CI=true (.ci/run installs it with apt-get)");
        string directory = Directory.CreateTempSubdirectory("kong-lua-schema-").FullName;
        try
        {
            string module = Path.Combine(directory, "schema.lua");
            string script = Path.Combine(directory, "serialize.lua");
            File.WriteAllText(module, luaModule, new UTF8Encoding(false));
            File.WriteAllText(script, Serializer, new UTF8Encoding(false));
            var info = new ProcessStartInfo(LuaJitPath!, [script, module])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using Process process = Process.Start(info)!;
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill();
                Assert.Fail("luajit did not finish");
            }

            Assert.True(process.ExitCode == 0, $"luajit could not load the module: {stderr.Result}\n{luaModule}");
            using JsonDocument actual = JsonDocument.Parse(stdout.Result);
            Compare(expected, actual.RootElement, "schema");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void Compare(JsonElement expected, JsonElement actual, string path)
    {
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                if (!expected.EnumerateObject().Any() && IsEmptyTable(actual)) return;
                Assert.True(actual.ValueKind == JsonValueKind.Object, $"{path}: expected a table with keys, Lua has {actual.ValueKind}");
                var actualKeys = actual.EnumerateObject().ToDictionary(p => FromHex(p.Name), p => p.Value, StringComparer.Ordinal);
                var expectedKeys = expected.EnumerateObject().Select(p => p.Name).ToList();
                Assert.True(expectedKeys.Count == actualKeys.Count, $"{path}: keys {string.Join(",", expectedKeys)} but Lua has {string.Join(",", actualKeys.Keys)}");
                foreach (JsonProperty property in expected.EnumerateObject())
                {
                    Assert.True(actualKeys.TryGetValue(property.Name, out JsonElement value), $"{path}: Lua has no key '{property.Name}'");
                    Compare(property.Value, value, path + "." + property.Name);
                }

                return;
            case JsonValueKind.Array:
                if (expected.GetArrayLength() == 0 && IsEmptyTable(actual)) return;
                Assert.True(actual.ValueKind == JsonValueKind.Array, $"{path}: expected a sequence, Lua has {actual.ValueKind}");
                Assert.True(expected.GetArrayLength() == actual.GetArrayLength(), $"{path}: {expected.GetArrayLength()} elements, Lua has {actual.GetArrayLength()}");
                for (int i = 0; i < expected.GetArrayLength(); i++) Compare(expected[i], actual[i], $"{path}[{i + 1}]");
                return;
            case JsonValueKind.String:
                Assert.True(actual.ValueKind == JsonValueKind.String, $"{path}: expected a string, Lua has {actual.ValueKind}");
                Assert.True(Encoding.UTF8.GetBytes(expected.GetString()!).AsSpan().SequenceEqual(Convert.FromHexString(actual.GetString()!)),
                    $"{path}: the string's bytes differ (JSON '{expected.GetString()}', Lua '{FromHex(actual.GetString()!)}')");
                return;
            case JsonValueKind.Number:
                Assert.True(actual.ValueKind == JsonValueKind.Number, $"{path}: expected a number, Lua has {actual.ValueKind}");
                Assert.True(expected.GetDouble() == double.Parse(actual.GetRawText(), CultureInfo.InvariantCulture),
                    $"{path}: JSON {expected.GetRawText()}, Lua {actual.GetRawText()}");
                return;
            default:
                Assert.True(expected.ValueKind == actual.ValueKind, $"{path}: expected {expected.ValueKind}, Lua has {actual.ValueKind}");
                return;
        }
    }

    private static bool IsEmptyTable(JsonElement actual)
        => (actual.ValueKind == JsonValueKind.Object && !actual.EnumerateObject().Any())
           || (actual.ValueKind == JsonValueKind.Array && actual.GetArrayLength() == 0);

    private static string FromHex(string hex) => Encoding.UTF8.GetString(Convert.FromHexString(hex));

    private static string? Find()
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, "luajit");
            if (File.Exists(candidate)) return candidate;
        }

        return null;
    }
}
