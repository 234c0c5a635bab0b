using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace Kong.Pdk.PackageTests;

/// <summary>
/// Each package is what a well-kept NuGet package is: description, tags, license, readme, repository URL and
/// commit, release notes; for the libraries a .snupkg whose PDBs carry SourceLink to a commit of the repository, and deterministic
/// assemblies. Read from the nupkg and snupkg files build.sh pack wrote.
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed partial class PackageMetadataTests(PackageFixture package)
{
    private const string RepositoryUrl = "https://github.com/kong-pdk-dotnet/Kong.Pdk";

    // Portable PDB custom debug information kinds (System.Reflection.Metadata docs, PortablePdb-Metadata.md).
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");
    private static readonly Guid EmbeddedSourceKind = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    [Theory]
    [InlineData("Kong.Pdk")]
    [InlineData("Kong.Pdk.Testing")]
    [InlineData("Kong.Pdk.Templates")]
    [InlineData("Kong.Pdk.OpenTelemetry")]
    [InlineData("Kong.Pdk.Extensions.Hosting")]
    public void Package_HasDescriptionTagsLicenseReadmeRepositoryAndCommit(string id)
    {
        using ZipArchive zip = ZipFile.OpenRead(package.PackageFile(id));
        (XElement metadata, XNamespace ns) = Nuspec(zip);
        string Value(string name) => metadata.Element(ns + name)?.Value ?? "";

        Assert.Equal(id, Value("id"));
        Assert.Equal(package.Version, Value("version"));
        Assert.True(Value("description").Length >= 40, $"{id}: a real description");
        Assert.Contains("kong", Value("tags").Split(' '));
        Assert.Equal("Kong.Pdk contributors", Value("authors"));
        Assert.Equal(RepositoryUrl, Value("projectUrl"));
        Assert.Contains("CHANGELOG.md", Value("releaseNotes"), StringComparison.Ordinal);

        XElement license = metadata.Element(ns + "license")!;
        Assert.Equal("expression", (string?)license.Attribute("type"));
        Assert.Equal("Apache-2.0", license.Value);

        string readme = Value("readme");
        Assert.Equal("README.md", readme);
        using (var reader = new StreamReader(zip.GetEntry(readme)!.Open()))
        {
            Assert.StartsWith("# " + id + "\n", reader.ReadToEnd().ReplaceLineEndings("\n"), StringComparison.Ordinal);
        }

        XElement repository = metadata.Element(ns + "repository")!;
        Assert.Equal("git", (string?)repository.Attribute("type"));
        Assert.Equal(RepositoryUrl, (string?)repository.Attribute("url"));
        Assert.Matches("^[0-9a-f]{40}$", (string?)repository.Attribute("commit") ?? "");
    }

    [Theory]
    [InlineData("Kong.Pdk", "Kong.Pdk")]
    [InlineData("Kong.Pdk.Testing", "Kong.Pdk.Testing")]
    [InlineData("Kong.Pdk.OpenTelemetry", "Kong.Pdk.OpenTelemetry")]
    [InlineData("Kong.Pdk.Extensions.Hosting", "Kong.Pdk.Extensions.Hosting")]
    public void SymbolPackage_HasAPdbPerAssembly_WithSourceLinkToTheCommit_AndTheAssembliesAreDeterministic(string id, string assembly)
    {
        using ZipArchive nupkg = ZipFile.OpenRead(package.PackageFile(id));
        string snupkgPath = Path.ChangeExtension(package.PackageFile(id), ".snupkg");
        Assert.True(File.Exists(snupkgPath), $"{snupkgPath} is missing");
        using ZipArchive snupkg = ZipFile.OpenRead(snupkgPath);

        foreach (string tfm in (string[])["net8.0", "net10.0"])
        {
            // The assembly: deterministic (a Reproducible debug directory entry), and no PDB inside the nupkg.
            using (var pe = new PEReader(ReadAll(nupkg, $"lib/{tfm}/{assembly}.dll")))
            {
                Assert.Contains(pe.ReadDebugDirectory(), e => e.Type == DebugDirectoryEntryType.Reproducible);
            }

            Assert.Null(nupkg.GetEntry($"lib/{tfm}/{assembly}.pdb"));

            // Its PDB in the snupkg: SourceLink maps the sources to a commit of the repository, and generated files
            // (not in git) are embedded.
            using MetadataReaderProvider pdb = MetadataReaderProvider.FromPortablePdbStream(ReadAll(snupkg, $"lib/{tfm}/{assembly}.pdb"));
            MetadataReader reader = pdb.GetMetadataReader();
            string? sourceLink = null;
            bool embedded = false;
            foreach (CustomDebugInformationHandle handle in reader.CustomDebugInformation)
            {
                CustomDebugInformation info = reader.GetCustomDebugInformation(handle);
                Guid kind = reader.GetGuid(info.Kind);
                if (kind == SourceLinkKind)
                {
                    sourceLink = Encoding.UTF8.GetString(reader.GetBlobBytes(info.Value));
                }

                embedded |= kind == EmbeddedSourceKind;
            }

            // The commit the assembly was compiled at: the nuspec's when built and packed together (CI, release); an
            // incremental build after a commit that did not touch the library keeps the earlier one.
            Assert.NotNull(sourceLink);
            Assert.Matches(@"""https://raw\.githubusercontent\.com/kong-pdk-dotnet/Kong\.Pdk/[0-9a-f]{40}/\*""", sourceLink);
            Assert.True(embedded, $"{assembly} ({tfm}): untracked (generated) sources are embedded in the PDB");
        }
    }

    [Fact]
    public void Repository_HasAChangelogWithAnUnreleasedOrCurrentVersionSection_AndALicense()
    {
        string changelog = File.ReadAllText(RepoPaths.Combine("CHANGELOG.md"));
        string prefix = package.Version.Split('-')[0];

        Assert.Matches($@"(?m)^## \[(Unreleased|{Regex.Escape(prefix)})\]", changelog);
        Assert.Contains("Apache License", File.ReadAllText(RepoPaths.Combine("LICENSE")), StringComparison.Ordinal);
    }

    private static (XElement Metadata, XNamespace Ns) Nuspec(ZipArchive zip)
    {
        ZipArchiveEntry entry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/'));
        using Stream stream = entry.Open();
        XElement root = XDocument.Load(stream).Root!;
        XNamespace ns = root.Name.Namespace;
        return (root.Element(ns + "metadata")!, ns);
    }

    private static MemoryStream ReadAll(ZipArchive zip, string path)
    {
        ZipArchiveEntry entry = zip.GetEntry(path) ?? throw new Xunit.Sdk.XunitException($"{path} is not in the package");
        var memory = new MemoryStream();
        using (Stream stream = entry.Open())
        {
            stream.CopyTo(memory);
        }

        memory.Position = 0;
        return memory;
    }
}
