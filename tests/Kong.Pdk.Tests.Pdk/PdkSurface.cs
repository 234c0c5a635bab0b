using System.Reflection;

namespace Kong.Pdk.Tests.Pdk;

/// <summary>The public PDK surface found by reflection from <see cref="IKong"/>: the module types, their methods,
/// and sample arguments to call them with (<see cref="PhasesAttributeTests"/>, <see cref="DefaultModuleTests"/>).</summary>
internal static class PdkSurface
{
    /// <summary>The module types: every type of the runtime (a struct over the event's handle) reachable through
    /// properties from <see cref="IKong"/>.</summary>
    public static readonly HashSet<Type> ModuleTypes = FindModuleTypes();

    /// <summary>Every public instance method of the public PDK module types (kong.request, kong.service.request, …).</summary>
    public static IEnumerable<MethodInfo> PdkMethods() => ModuleTypes
        .Where(t => t.IsPublic)
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName)
            .OrderBy(m => m.MetadataToken));

    /// <summary>The module value of <paramref name="type"/> reachable from <paramref name="kong"/>
    /// (<c>kong.Request</c>, <c>kong.Client.Tls</c>, <c>kong.Service.Response</c>, …), boxed.</summary>
    public static object Module(IKong kong, Type type)
    {
        var pending = new Queue<object>([kong]);
        while (pending.Count > 0)
        {
            object current = pending.Dequeue();
            IEnumerable<PropertyInfo> properties = current is IKong
                ? typeof(IKong).GetProperties()
                : current.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance);
            foreach (PropertyInfo property in properties)
            {
                if (!ModuleTypes.Contains(property.PropertyType) || property.GetIndexParameters().Length > 0) continue;
                object value = property.GetValue(current)!;
                if (property.PropertyType == type) return value;
                pending.Enqueue(value);
            }
        }

        throw new InvalidOperationException("no IKong property leads to " + type);
    }

    /// <summary>Calls <paramref name="method"/> on <paramref name="module"/> with sample arguments and awaits the
    /// <see cref="ValueTask"/> it returns; an exception thrown synchronously is rethrown unwrapped.</summary>
    public static async Task InvokeAsync(MethodInfo method, object module)
    {
        object?[] args = method.GetParameters().Select(Sample).ToArray();
        object? result;
        try
        {
            result = method.Invoke(module, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }

        switch (result)
        {
            case ValueTask task:
                await task;
                break;
            case not null when result.GetType().IsGenericType && result.GetType().GetGenericTypeDefinition() == typeof(ValueTask<>):
                await (Task)result.GetType().GetMethod(nameof(ValueTask<int>.AsTask))!.Invoke(result, null)!;
                break;
            default:
                throw new InvalidOperationException($"{Describe(method)} returns {method.ReturnType}, not a ValueTask");
        }
    }

    /// <summary>An argument that passes the method's own validation, so that only the phase decides.</summary>
    public static object? Sample(ParameterInfo parameter)
    {
        Type type = parameter.ParameterType;
        if (type == typeof(CancellationToken)) return CancellationToken.None;
        if (parameter.IsOptional) return parameter.DefaultValue;
        Type? nullable = Nullable.GetUnderlyingType(type);
        if (nullable is not null) type = nullable;
        bool status = parameter.Name == "status";
        if (type == typeof(string)) return "x";
        if (type == typeof(int)) return status ? 200 : 1;
        if (type == typeof(long)) return 1L;
        if (type == typeof(double)) return 1.5;
        if (type == typeof(bool)) return true;
        if (type == typeof(ReadOnlyMemory<byte>)) return new ReadOnlyMemory<byte>([1, 2]);
        if (type == typeof(IReadOnlyList<string>)) return new[] { "v" };
        if (type == typeof(IReadOnlyDictionary<string, string>)) return new Dictionary<string, string> { ["k"] = "v" };
        if (type == typeof(IReadOnlyDictionary<string, IReadOnlyList<string>>)) return new Dictionary<string, IReadOnlyList<string>> { ["k"] = ["v"] };
        if (type == typeof(KongValue)) return KongValue.List(KongValue.From("v"));
        if (type == typeof(KongConsumer)) return new KongConsumer { Raw = KongValue.Map([new KeyValuePair<string, string>("id", "c")]) };
        if (type == typeof(KongCredential)) return new KongCredential { Raw = KongValue.Map([new KeyValuePair<string, string>("id", "k")]) };
        throw new InvalidOperationException($"no sample argument for {parameter.Member.DeclaringType!.Name}.{parameter.Member.Name}({type} {parameter.Name}); add one here");
    }

    public static string Describe(MethodInfo method)
        => $"{method.DeclaringType!.Name}.{method.Name}({string.Join(", ", method.GetParameters().Select(p => p.ParameterType.Name))})";

    private static HashSet<Type> FindModuleTypes()
    {
        var found = new HashSet<Type>();
        var pending = new Queue<Type>([typeof(IKong)]);
        while (pending.Count > 0)
        {
            foreach (PropertyInfo property in pending.Dequeue().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                Type type = property.PropertyType;
                if (!type.IsEnum && type.Assembly == typeof(IKong).Assembly && found.Add(type)) pending.Enqueue(type);
            }
        }

        return found;
    }
}
