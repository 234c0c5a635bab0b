using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using static Kong.Pdk.Tests.Pdk.PdkSurface;

namespace Kong.Pdk.Tests.Pdk;

/// <summary>
/// The PDK modules are read-only structs over the event's handle, so touching them allocates nothing (#13). A value
/// never obtained from <see cref="IKong"/> (<c>default(KongRequest)</c>, a field left unset) has no handle: every
/// member throws an <see cref="InvalidOperationException"/> that says so, never a <see cref="NullReferenceException"/>.
/// </summary>
public sealed class DefaultModuleTests
{
    [Fact]
    public void EveryModuleType_IsAReadOnlyStruct()
    {
        Assert.Equal(18, ModuleTypes.Count); // Request, Response, Log, Client(.Tls), Ctx(.Shared), Ip, Nginx, Node, Plugin, Cluster, Router, Service(.Request, .Response), Vault, Telemetry
        Assert.All(ModuleTypes, type =>
        {
            Assert.True(type.IsValueType, type.Name + " is a struct");
            Assert.True(type.IsDefined(typeof(IsReadOnlyAttribute)), type.Name + " is a readonly struct");
        });
    }

    [Fact]
    public async Task DefaultRequest_ThrowsInvalidOperation_NamingIKong()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => await default(KongRequest).GetHeaderAsync("host"));
        Assert.Equal("This KongRequest was not obtained from IKong (it is default(KongRequest)): use the value the handler's IKong gives, such as kong.Request.", ex.Message);
        Assert.Throws<InvalidOperationException>(() => default(KongService).Request);
        Assert.Throws<InvalidOperationException>(() => default(KongClient).Tls);
        Assert.Throws<InvalidOperationException>(() => default(KongCtx).Shared);
    }

    [Fact]
    public async Task EveryMemberOfEveryDefaultModule_ThrowsInvalidOperation()
    {
        var problems = new StringBuilder();
        int members = 0;
        foreach (Type type in ModuleTypes.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            object module = Activator.CreateInstance(type)!; // default(T), boxed
            foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                members++;
                Exception? thrown = Record.Exception(() => property.GetValue(module));
                Check($"{type.Name}.{property.Name}", (thrown as TargetInvocationException)?.InnerException ?? thrown, type.Name);
            }
        }

        foreach (MethodInfo method in PdkMethods())
        {
            members++;
            object module = Activator.CreateInstance(method.DeclaringType!)!;
            Check(Describe(method), await Record.ExceptionAsync(() => InvokeAsync(method, module)), method.DeclaringType!.Name);
        }

        Assert.True(members > 100, "found only " + members + " members");
        Assert.True(problems.Length == 0, $"{members} members checked:\n{problems}");

        void Check(string member, Exception? thrown, string typeName)
        {
            if (thrown is not InvalidOperationException || !thrown.Message.Contains($"not obtained from IKong (it is default({typeName}))", StringComparison.Ordinal))
            {
                problems.AppendLine($"{member}: {thrown?.GetType().Name ?? "no exception"} {thrown?.Message}");
            }
        }
    }
}
