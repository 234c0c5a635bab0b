using Xunit;

namespace Kong.Pdk.PackageTests;

/// <summary>The test classes that share one <see cref="PackageFixture"/>: one pack and one template install for all.</summary>
[CollectionDefinition(Name)]
public sealed class PackagesCollection : ICollectionFixture<PackageFixture>
{
    public const string Name = "Packed packages";
}
