using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Kong.Pdk.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace Kong.Pdk.CodeFixes;

/// <summary>
/// KONG0304, where the fix is obvious: a private instance field that only one phase handler uses (reads and writes)
/// is per-request state kept in the wrong place. The fix moves it into the handler as a local, initialised like the
/// field was. Offered only when the field has one declarator, an initializer or a type whose default is a valid value
/// (a value type or a nullable reference), and no other member of the type mentions it.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(HandlerStateCodeFixProvider)), Shared]
public sealed class HandlerStateCodeFixProvider : CodeFixProvider
{
    public const string Key = "Kong.FieldToLocal";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.HandlerWritesInstanceState);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(FixAllInDocumentAsync);

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (FieldOf(root, model, diagnostic, context.CancellationToken) is not { } field || Plan(root, model, field, context.CancellationToken) is null)
            {
                continue;
            }

            context.RegisterCodeFix(CodeAction.Create(
                "Make '" + field.Name + "' a local of '" + FindHandler(root, diagnostic)!.Identifier.ValueText + "'",
                ct => FixAsync(context.Document, field.Name, FindHandler(root, diagnostic)!.SpanStart, ct),
                Key), diagnostic);
        }
    }

    private static async Task<Document?> FixAllInDocumentAsync(FixAllContext context, Document document, ImmutableArray<Diagnostic> diagnostics)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return null;
        }

        // One rewrite per field (a field written several times has several diagnostics), each on the updated document.
        var targets = new List<(string Field, int Handler)>();
        foreach (Diagnostic diagnostic in diagnostics)
        {
            if (FieldOf(root, model, diagnostic, context.CancellationToken) is { } field && FindHandler(root, diagnostic) is { } handler
                && !targets.Any(t => t.Field == field.Name && t.Handler == handler.SpanStart))
            {
                targets.Add((field.Name, handler.SpanStart));
            }
        }

        // From the last handler up, so that earlier positions stay valid.
        foreach ((string field, int handler) in targets.OrderByDescending(static t => t.Handler))
        {
            document = await FixAsync(document, field, handler, context.CancellationToken).ConfigureAwait(false);
        }

        return document;
    }

    private static MethodDeclarationSyntax? FindHandler(SyntaxNode root, Diagnostic diagnostic)
        => root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<MethodDeclarationSyntax>();

    private static IFieldSymbol? FieldOf(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
        => model.GetSymbolInfo(root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true), cancellationToken).Symbol as IFieldSymbol;

    /// <summary>The field's declaration and its only user, or null when the fix is not obvious.</summary>
    private static (VariableDeclaratorSyntax Declarator, FieldDeclarationSyntax Declaration, MethodDeclarationSyntax Handler)? Plan(
        SyntaxNode root, SemanticModel model, IFieldSymbol field, CancellationToken cancellationToken)
    {
        if (field.IsStatic || field.DeclaredAccessibility != Accessibility.Private || field.DeclaringSyntaxReferences.Length != 1
            || field.DeclaringSyntaxReferences[0].SyntaxTree != root.SyntaxTree
            || field.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not VariableDeclaratorSyntax declarator
            || declarator.Parent?.Parent is not FieldDeclarationSyntax declaration || declaration.Declaration.Variables.Count != 1
            || field.ContainingType.DeclaringSyntaxReferences.Length != 1)
        {
            return null;
        }

        if (declarator.Initializer is null && !field.Type.IsValueType && field.NullableAnnotation != NullableAnnotation.Annotated)
        {
            return null;
        }

        MethodDeclarationSyntax? handler = null;
        foreach (IdentifierNameSyntax name in root.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (name.Identifier.ValueText != field.Name
                || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, field))
            {
                continue;
            }

            MethodDeclarationSyntax? user = name.FirstAncestorOrSelf<MethodDeclarationSyntax>();
            if (user?.Body is null || (handler is not null && handler != user))
            {
                return null;
            }

            handler = user;
        }

        return handler is null ? null : (declarator, declaration, handler);
    }

    private static async Task<Document> FixAsync(Document document, string fieldName, int handlerStart, CancellationToken cancellationToken)
    {
        SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        SemanticModel model = (await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false))!;
        MethodDeclarationSyntax? handler = root.FindToken(handlerStart).Parent?.FirstAncestorOrSelf<MethodDeclarationSyntax>();
        IFieldSymbol? field = handler is null ? null : model.GetDeclaredSymbol(handler, cancellationToken)?.ContainingType
            .GetMembers(fieldName).OfType<IFieldSymbol>().FirstOrDefault();
        if (field is null || Plan(root, model, field, cancellationToken) is not { } plan)
        {
            return document;
        }

        string local = LocalName(fieldName, model, plan.Handler.Body!, cancellationToken);
        var uses = new List<ExpressionSyntax>();
        foreach (IdentifierNameSyntax name in plan.Handler.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (name.Identifier.ValueText == fieldName && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, field))
            {
                uses.Add(name.Parent is MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } access && access.Name == name ? access : name);
            }
        }

        MethodDeclarationSyntax handler2 = plan.Handler.ReplaceNodes(uses, (original, _) => SyntaxFactory.IdentifierName(local).WithTriviaFrom(original));
        ExpressionSyntax initial = plan.Declarator.Initializer?.Value.WithoutTrivia() ?? SyntaxFactory.LiteralExpression(SyntaxKind.DefaultLiteralExpression);
        LocalDeclarationStatementSyntax declaration = SyntaxFactory.LocalDeclarationStatement(
                SyntaxFactory.VariableDeclaration(plan.Declaration.Declaration.Type.WithoutTrivia().WithTrailingTrivia(SyntaxFactory.Space))
                    .AddVariables(SyntaxFactory.VariableDeclarator(local).WithInitializer(SyntaxFactory.EqualsValueClause(initial))))
            .WithAdditionalAnnotations(Formatter.Annotation);
        handler2 = handler2.WithBody(handler2.Body!.WithStatements(handler2.Body.Statements.Insert(0, declaration)));

        SyntaxNode updated = root.ReplaceNode(plan.Handler, handler2);
        FieldDeclarationSyntax removed = updated.DescendantNodes().OfType<FieldDeclarationSyntax>().First(f => f.IsEquivalentTo(plan.Declaration));
        if (removed.Parent is TypeDeclarationSyntax type && type.Members.IndexOf(removed) is 0 && type.Members.Count > 1)
        {
            // The member that becomes first loses the blank line that separated it from the field.
            MemberDeclarationSyntax next = type.Members[1];
            SyntaxTriviaList leading = next.GetLeadingTrivia();
            int skip = 0;
            while (skip < leading.Count && leading[skip].IsKind(SyntaxKind.EndOfLineTrivia))
            {
                skip++;
            }

            updated = updated.ReplaceNode(next, next.WithLeadingTrivia(leading.Skip(skip)));
            removed = updated.DescendantNodes().OfType<FieldDeclarationSyntax>().First(f => f.IsEquivalentTo(plan.Declaration));
        }

        updated = updated.RemoveNode(removed, SyntaxRemoveOptions.KeepNoTrivia)!;
        return document.WithSyntaxRoot(updated);
    }

    /// <summary><c>_count</c>, <c>m_count</c> or <c>count</c> becomes <c>count</c>; a name already in scope gets a number.</summary>
    private static string LocalName(string field, SemanticModel model, BlockSyntax body, CancellationToken cancellationToken)
    {
        string name = field.StartsWith("m_", System.StringComparison.Ordinal) ? field.Substring(2) : field.TrimStart('_');
        if (name.Length == 0 || !SyntaxFacts.IsValidIdentifier(name))
        {
            name = "value";
        }

        name = char.ToLowerInvariant(name[0]) + name.Substring(1);
        if (SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None)
        {
            name = "@" + name;
        }

        string candidate = name;
        var declared = new HashSet<string>(body.DescendantNodes().OfType<VariableDeclaratorSyntax>().Select(static v => v.Identifier.ValueText)
            .Concat(body.DescendantNodes().OfType<ParameterSyntax>().Select(static p => p.Identifier.ValueText))
            .Concat(((MethodDeclarationSyntax)body.Parent!).ParameterList.Parameters.Select(static p => p.Identifier.ValueText)));
        for (int i = 2; declared.Contains(candidate) || (candidate != field && model.LookupSymbols(body.SpanStart, name: candidate).Any(static s => s is ILocalSymbol or IParameterSymbol)); i++)
        {
            candidate = name + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return candidate;
    }
}
