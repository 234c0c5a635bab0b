using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Kong.Pdk.Generators.Analysis;
using Kong.Pdk.Generators.Helpers;
using Kong.Pdk.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kong.Pdk.Generators;

/// <summary>Attribute context → <see cref="PluginSpec"/>. Static and pure; nothing from Roslyn leaves it.</summary>
internal static class PluginParser
{
    /// <summary>Returns <see langword="null"/> when the class cannot get generated code without breaking the build
    /// (not partial, generic, abstract, not instantiable); the analyzers report why.</summary>
    public static PluginSpec? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.Attributes.IsEmpty)
        {
            return null;
        }

        if (PluginRules.Unusable(type, cancellationToken) is not null || !PluginRules.IsPartialChain(type, cancellationToken)
            || PluginRules.LanguageVersionTooOld(context.TargetNode.SyntaxTree) is not null)
        {
            return null;
        }

        Compilation compilation = context.SemanticModel.Compilation;
        KnownSymbols known = KnownSymbols.Create(compilation);
        AttributeData attribute = context.Attributes[0];
        PluginRules.ReadAttribute(attribute, out string pluginName, out string version, out int priority, out bool failOpen);

        var phases = new List<PhaseSpec>();
        for (int phase = 0; phase < KnownNames.Phases.Length; phase++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (IMethodSymbol method in PhaseMethods.Handlers(type, phase))
            {
                HandlerShape shape = PhaseMethods.Classify(method, known);
                if ((shape.Problems & (HandlerProblems.WrongReturnType | HandlerProblems.WrongParameters | HandlerProblems.AsyncVoid)) == 0
                    && !method.IsStatic)
                {
                    phases.Add(new PhaseSpec(phase, method.Name, shape.ReturnsTask, shape.TakesCancellationToken));
                    break;
                }
            }
        }

        SemanticModel targetModel = context.SemanticModel;
        var builder = new ConfigModelBuilder(known,
            tree => tree == targetModel.SyntaxTree ? targetModel : compilation.GetSemanticModel(tree),
            cancellationToken);
        RecordSpec config = builder.BuildRecord(type);
        var schema = new PluginSchemaBuilder(cancellationToken);
        string? protocols = schema.Protocols(type, phases.Select(static p => p.Phase));
        List<string> entityChecks = schema.EntityChecks(type, config);
        List<string> restrictions = PluginSchemaBuilder.Restrictions(type);

        var containing = new List<ContainingTypeSpec>();
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            containing.Insert(0, new ContainingTypeSpec(PluginRules.Keyword(outer), outer.Name));
        }

        string ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : string.Empty;
        string nestedName = string.Join(".", containing.Select(static c => c.Name).Concat(new[] { type.Name }));
        string hint = Naming.SanitizeHintName((ns.Length == 0 ? string.Empty : ns + ".") + nestedName) + ".KongPlugin.g.cs";

        IMethodSymbol constructor = PluginConstructors.Choose(type, out _)!; // Unusable() returned null: there is one
        var services = new List<ServiceParameterSpec>();
        foreach (IParameterSymbol parameter in constructor.Parameters)
        {
            if (PluginConstructors.Unresolvable(parameter) is not null)
            {
                return null; // KONG0210 explains
            }

            services.Add(new ServiceParameterSpec(ConfigModelBuilder.FullName(parameter.Type), parameter.HasExplicitDefaultValue));
        }

        return new PluginSpec(
            ns,
            type.Name,
            ConfigModelBuilder.FullName(type),
            hint,
            containing.ToEquatableArray(),
            PluginRules.Keyword(type),
            pluginName,
            version,
            priority,
            failOpen,
            phases.ToEquatableArray(),
            config,
            protocols,
            entityChecks.ToEquatableArray(),
            restrictions.ToEquatableArray(),
            services.ToEquatableArray(),
            PluginConstructors.ConfigureServicesHook(type) is not null,
            constructor.IsImplicitlyDeclared);
    }
}

/// <summary>Declaration rules shared by the parser and <c>PluginDeclarationAnalyzer</c>.</summary>
internal static class PluginRules
{
    public static void ReadAttribute(AttributeData attribute, out string name, out string version, out int priority, out bool failOpen)
    {
        name = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string n ? n : string.Empty;
        version = "0.1.0";
        priority = 0;
        failOpen = false;
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            switch (argument.Key)
            {
                case "Version" when argument.Value.Value is string v:
                    version = v;
                    break;
                case "Priority" when argument.Value.Value is int p:
                    priority = p;
                    break;
                case "FailOpen" when argument.Value.Value is bool f:
                    failOpen = f;
                    break;
            }
        }
    }

    /// <summary>The effective language version when it is older than the generated code needs (C# 11: UTF-8 string
    /// literals), or <see langword="null"/>.</summary>
    public static string? LanguageVersionTooOld(SyntaxTree tree)
    {
        if (tree.Options is CSharpParseOptions options)
        {
            LanguageVersion version = options.LanguageVersion.MapSpecifiedToEffectiveVersion();
            if (version < LanguageVersion.CSharp11)
            {
                return version.ToDisplayString();
            }
        }

        return null;
    }

    /// <summary>Kong accepts <c>x.y</c> or <c>x.y.z</c> with numeric parts (kong-protocol.md §2.3).</summary>
    public static bool IsValidVersion(string version)
    {
        string[] parts = version.Split('.');
        return parts.Length is 2 or 3 && parts.All(static p => p.Length > 0 && p.All(static c => c is >= '0' and <= '9'));
    }

    /// <summary>A plugin name is used in kong.conf property names and as the socket file name.</summary>
    public static bool IsValidPluginName(string name)
        => name.Length > 0 && name[0] is >= 'a' and <= 'z'
            && name.All(static c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_');

    /// <summary>Why the generated code could not create or reach the class, or <see langword="null"/>.</summary>
    public static string? Unusable(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        if (type.TypeKind != TypeKind.Class)
        {
            return "a plugin must be a class";
        }

        if (type.IsStatic)
        {
            return "a plugin class cannot be static";
        }

        if (type.IsAbstract)
        {
            return "a plugin class cannot be abstract";
        }

        for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (current.IsGenericType)
            {
                return "a plugin class cannot be generic or nested in a generic type";
            }

            if (current.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.NotApplicable))
            {
                return "a plugin class (and any class it is nested in) must be public or internal";
            }
        }

        if (PluginConstructors.Choose(type, out string? constructorProblem) is null)
        {
            return constructorProblem;
        }

        // Analyzers also see the generator's own output; only the author's members can conflict.
        if (type.GetMembers("Descriptor").Concat(type.GetMembers("__KongPluginDescriptor")).Any(static m => !IsGenerated(m)))
        {
            return "it declares a member named 'Descriptor', which the generated descriptor property needs";
        }

        return null;
    }

    /// <summary>True for members this generator wrote (they carry <c>[GeneratedCode("Kong.Pdk.Generators", ...)]</c>).</summary>
    public static bool IsGenerated(ISymbol member)
    {
        foreach (AttributeData attribute in member.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == "System.CodeDom.Compiler.GeneratedCodeAttribute"
                && attribute.ConstructorArguments.Length > 0
                && attribute.ConstructorArguments[0].Value as string == "Kong.Pdk.Generators")
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsPartialChain(INamedTypeSymbol type, CancellationToken cancellationToken)
        => FirstNonPartial(type, cancellationToken) is null;

    /// <summary>The plugin class, or a type it is nested in, that is not declared <c>partial</c>.</summary>
    public static INamedTypeSymbol? FirstNonPartial(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
        {
            if (!IsDeclaredPartial(current, cancellationToken))
            {
                return current;
            }
        }

        return null;
    }

    public static bool IsDeclaredPartial(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration
                && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                return false;
            }
        }

        return true;
    }

    public static string Keyword(INamedTypeSymbol type)
    {
        string kind = type.TypeKind switch
        {
            TypeKind.Struct => "struct",
            TypeKind.Interface => "interface",
            _ => "class",
        };
        return type.IsRecord ? "record " + kind : kind;
    }
}
