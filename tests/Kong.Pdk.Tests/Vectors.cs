using System.Text.Json;

namespace Kong.Pdk.Tests;

/// <summary>The recorded Kong ⇄ server messages in tests/vectors (a copy kept in the repository; see its README).</summary>
internal static class Vectors
{
    public static string Directory
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "Kong.Pdk.sln"))) dir = Path.GetDirectoryName(dir);
            if (dir is null) throw new InvalidOperationException("repository root not found");
            string vectors = Path.GetFullPath(Path.Combine(dir, "tests", "vectors"));
            if (!System.IO.Directory.Exists(vectors)) throw new InvalidOperationException("the recorded vectors are missing: " + vectors);
            return vectors;
        }
    }

    public sealed record Message(string File, int Conn, int Seq, string Dir, byte[] Bytes);

    public static IReadOnlyList<Message> All()
    {
        var messages = new List<Message>();
        foreach (string file in System.IO.Directory.GetFiles(Directory, "*.json").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(file);
            if (name is "summary.json" or "connections.json" or "dump.json" or "harness-output.json") continue;
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (JsonElement element in document.RootElement.EnumerateArray())
            {
                messages.Add(new Message(name, element.GetProperty("conn").GetInt32(), element.GetProperty("seq").GetInt32(),
                    element.GetProperty("dir").GetString()!, Convert.FromHexString(element.GetProperty("hex").GetString()!)));
            }
        }

        return messages;
    }

    public static IEnumerable<Message> KongToServer() => All().Where(m => m.Dir == "kong->server");
}
