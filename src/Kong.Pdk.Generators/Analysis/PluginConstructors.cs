using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Kong.Pdk.Generators.Analysis;

/// <summary>
/// Which constructor the generated factory calls, and whether each of its parameters can come from an
/// <c>IServiceProvider</c>. Shared by the parser (what to emit) and the analyzers (KONG0205, KONG0210), so both apply the
/// same rules.
/// </summary>
internal static class PluginConstructors
{
    public const string ActivatorUtilitiesConstructorAttribute = "Microsoft.Extensions.DependencyInjection.ActivatorUtilitiesConstructorAttribute";
    public const string FromKeyedServicesAttribute = "Microsoft.Extensions.DependencyInjection.FromKeyedServicesAttribute";
    public const string ServiceCollection = "Microsoft.Extensions.DependencyInjection.IServiceCollection";

    /// <summary>
    /// The constructor the generated factory calls: the one marked <c>[ActivatorUtilitiesConstructor]</c>; else the only
    /// one; else the parameterless one. <see langword="null"/> with <paramref name="problem"/> when none fits. A record's
    /// copy constructor never counts.
    /// </summary>
    public static IMethodSymbol? Choose(INamedTypeSymbol type, out string? problem)
    {
        problem = null;
        var candidates = type.InstanceConstructors.Where(c => !IsCopyConstructor(type, c) && !IsGeneratedBinder(c)).ToList();
        var marked = candidates.Where(static c => c.GetAttributes().Any(static a => a.AttributeClass?.ToDisplayString() == ActivatorUtilitiesConstructorAttribute)).ToList();
        if (marked.Count > 1)
        {
            problem = "more than one constructor is marked [ActivatorUtilitiesConstructor]; mark only the one the generated factory calls";
            return null;
        }

        if (marked.Count == 1)
        {
            return marked[0];
        }

        if (candidates.Count == 1)
        {
            return candidates[0];
        }

        IMethodSymbol? parameterless = candidates.FirstOrDefault(static c => c.Parameters.IsEmpty);
        if (parameterless is null)
        {
            problem = "it has several constructors with parameters; mark the one the generated factory calls with [ActivatorUtilitiesConstructor]";
        }

        return parameterless;
    }

    /// <summary>The constructor the generator adds to bind init-only properties (it takes the JSON reader by ref):
    /// analyzers see the generator's output, and it is never the one the factory chooses.</summary>
    private static bool IsGeneratedBinder(IMethodSymbol constructor)
        => constructor.Parameters.Any(static p => p.RefKind == RefKind.Ref && p.Type.ToDisplayString() == "System.Text.Json.Utf8JsonReader")
            && PluginRules.IsGenerated(constructor);

    private static bool IsCopyConstructor(INamedTypeSymbol type, IMethodSymbol constructor)
        => type.IsRecord && constructor.Parameters.Length == 1
            && SymbolEqualityComparer.Default.Equals(constructor.Parameters[0].Type, type);

    /// <summary>Why <paramref name="parameter"/> can never be resolved from a service provider, or <see langword="null"/>.
    /// Only what the types say: whether a service is registered is decided at run time.</summary>
    public static string? Unresolvable(IParameterSymbol parameter)
    {
        if (parameter.RefKind != RefKind.None)
        {
            return "a ref, out or in parameter cannot be given a service";
        }

        if (parameter.IsParams)
        {
            return "a params parameter cannot be given a service";
        }

        if (parameter.GetAttributes().Any(static a => a.AttributeClass?.ToDisplayString() == FromKeyedServicesAttribute))
        {
            return "keyed services ([FromKeyedServices]) are not supported by the generated factory; take IServiceProvider or a non-keyed service";
        }

        ITypeSymbol type = parameter.Type;
        if (type.IsRefLikeType || type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer)
        {
            return "a ref struct or pointer cannot be a service";
        }

        if (type.TypeKind == TypeKind.Dynamic || type.TypeKind == TypeKind.TypeParameter || type.TypeKind == TypeKind.Error)
        {
            return null; // an error type is reported by the compiler; the others cannot occur on a non-generic class
        }

        if (IsValue(type.SpecialType) || type.TypeKind == TypeKind.Enum || type.TypeKind == TypeKind.Array)
        {
            return "'" + type.ToDisplayString() + "' is never a service: use a configuration property for a value, or a service type that holds it";
        }

        if (type.IsValueType)
        {
            return "'" + type.ToDisplayString() + "' is a value type, which service providers do not resolve: register a class or an interface";
        }

        return null;
    }

    /// <summary>object, string, the primitives, decimal and DateTime: values, never services.</summary>
    private static bool IsValue(SpecialType type)
        => type is SpecialType.System_Object or SpecialType.System_String or SpecialType.System_Decimal or SpecialType.System_DateTime
            or SpecialType.System_IntPtr or SpecialType.System_UIntPtr
            || (type >= SpecialType.System_Boolean && type <= SpecialType.System_Double);

    /// <summary>A static <c>ConfigureServices(IServiceCollection)</c> hook on the plugin class, or <see langword="null"/>.</summary>
    public static IMethodSymbol? ConfigureServicesHook(INamedTypeSymbol type)
    {
        foreach (ISymbol member in type.GetMembers("ConfigureServices"))
        {
            if (member is IMethodSymbol { IsStatic: true, ReturnsVoid: true, Parameters.Length: 1, IsGenericMethod: false } method
                && method.Parameters[0].RefKind == RefKind.None
                && method.Parameters[0].Type.ToDisplayString() == ServiceCollection
                && method.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal)
            {
                return method;
            }
        }

        return null;
    }

    /// <summary>Members named <c>ConfigureServices</c> that are not the hook (wrong shape), reported so they are never
    /// silently ignored.</summary>
    public static IEnumerable<IMethodSymbol> MisshapedConfigureServices(INamedTypeSymbol type)
    {
        IMethodSymbol? hook = ConfigureServicesHook(type);
        foreach (ISymbol member in type.GetMembers("ConfigureServices"))
        {
            if (member is IMethodSymbol method && !method.IsImplicitlyDeclared && !SymbolEqualityComparer.Default.Equals(method, hook))
            {
                yield return method;
            }
        }
    }
}
