using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Xunit;

namespace Kong.Pdk.Generators.Tests;

/// <summary>Generated types and members are marked as generated, excluded from coverage and not stepped into by the
/// debugger, as CommunityToolkit.Mvvm's are: coverage reports and "Just My Code" show only the author's code.</summary>
public class GeneratedCodeAttributesTests
{
    [Fact]
    public void GeneratedTypesAndMembers_CarryExcludeFromCodeCoverageAndDebuggerNonUserCode()
    {
        var result = TestCompiler.RunClean(TestCompiler.Usings + Plugins.Hello, Microsoft.CodeAnalysis.OutputKind.ConsoleApplication);
        Assembly assembly = TestCompiler.Load(result.Output);
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

        Type plugin = assembly.GetTypes().Single(t => t.Name == "HelloPlugin");
        var marked = new List<MemberInfo>
        {
            plugin.GetProperty("Descriptor", All)!,
            plugin.GetMethods(All).Single(m => m.Name.EndsWith("IKongPluginInstance.InvokeAsync", StringComparison.Ordinal)),
            plugin.GetNestedTypes(All).Single(t => t.Name == "__KongPluginDescriptor"),
            assembly.GetTypes().Single(t => t.Name == "KongPluginEntryPoint"),
        };
        foreach (MemberInfo member in marked)
        {
            Assert.True(member.IsDefined(typeof(ExcludeFromCodeCoverageAttribute), inherit: false), member.Name + " lacks [ExcludeFromCodeCoverage]");
            Assert.True(member.IsDefined(typeof(DebuggerNonUserCodeAttribute), inherit: false), member.Name + " lacks [DebuggerNonUserCode]");
        }

        // The author's own handler stays user code.
        Assert.False(plugin.GetMethod("Access", All)!.IsDefined(typeof(DebuggerNonUserCodeAttribute), inherit: false));
    }
}
