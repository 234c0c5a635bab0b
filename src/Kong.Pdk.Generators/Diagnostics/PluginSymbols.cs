using Kong.Pdk.Generators.Analysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kong.Pdk.Generators.Diagnostics;

/// <summary>Helpers the analyzers share.</summary>
internal static class PluginSymbols
{
    public static AttributeData? PluginAttribute(INamedTypeSymbol type, KnownSymbols known) => known.Find(type, known.KongPlugin);

    /// <summary>The location of a named argument (<c>Version = "..."</c>) or, when <paramref name="name"/> is null,
    /// of the first positional argument; falls back to the attribute.</summary>
    public static Location? ArgumentLocation(AttributeData attribute, string? name, System.Threading.CancellationToken cancellationToken)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax syntax)
        {
            return null;
        }

        if (syntax.ArgumentList is { } arguments)
        {
            foreach (AttributeArgumentSyntax argument in arguments.Arguments)
            {
                bool named = argument.NameEquals is not null;
                if (name is null ? !named && argument.NameColon is null : named && argument.NameEquals!.Name.Identifier.ValueText == name)
                {
                    return argument.Expression.GetLocation();
                }
            }
        }

        return syntax.GetLocation();
    }

    /// <summary>The identifier of a type's first declaration.</summary>
    public static Location? Identifier(INamedTypeSymbol type, System.Threading.CancellationToken cancellationToken)
    {
        foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is BaseTypeDeclarationSyntax declaration)
            {
                return declaration.Identifier.GetLocation();
            }
        }

        return type.Locations.Length > 0 ? type.Locations[0] : null;
    }
}
