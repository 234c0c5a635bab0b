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
using Microsoft.CodeAnalysis.Simplification;

namespace Kong.Pdk.CodeFixes;

/// <summary>Fixes phase handler signatures: returns <c>ValueTask</c> (KONG0001, KONG0003) and takes
/// <c>(IKong kong, CancellationToken cancellationToken)</c> (KONG0002).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(HandlerSignatureCodeFixProvider)), Shared]
public sealed class HandlerSignatureCodeFixProvider : CodeFixProvider
{
    public const string ReturnTypeKey = "Kong.ReturnValueTask";
    public const string ParametersKey = "Kong.HandlerParameters";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        DiagnosticIds.HandlerReturnType, DiagnosticIds.HandlerAsyncVoid, DiagnosticIds.HandlerParameters);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindToken(context.Span.Start).Parent?.FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } method)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (diagnostic.Id == DiagnosticIds.HandlerParameters)
            {
                context.RegisterCodeFix(CodeAction.Create(
                    "Take (IKong kong, CancellationToken cancellationToken)",
                    ct => FixParametersAsync(context.Document, method, ct),
                    ParametersKey), diagnostic);
            }
            else if (CanReturnValueTask(method))
            {
                context.RegisterCodeFix(CodeAction.Create(
                    "Return ValueTask",
                    ct => FixReturnTypeAsync(context.Document, method, ct),
                    ReturnTypeKey), diagnostic);
            }
        }
    }

    /// <summary>An async method works unchanged with <c>ValueTask</c> unless it returns a value; a synchronous one
    /// only when it returned <c>void</c> (it then gets <c>return default;</c>).</summary>
    private static bool CanReturnValueTask(MethodDeclarationSyntax method)
    {
        if (method.Modifiers.Any(SyntaxKind.AsyncKeyword))
        {
            return !OwnReturns(method).Any(static r => r.Expression is not null);
        }

        return method.ReturnType is PredefinedTypeSyntax { Keyword.RawKind: (int)SyntaxKind.VoidKeyword }
            && (method.Body is not null || method.ExpressionBody is not null);
    }

    /// <summary>The return statements of the method itself, not of lambdas or local functions inside it.</summary>
    private static IEnumerable<ReturnStatementSyntax> OwnReturns(MethodDeclarationSyntax method)
        => method.DescendantNodes(static node => node is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            .OfType<ReturnStatementSyntax>();

    private static async Task<Document> FixReturnTypeAsync(Document document, MethodDeclarationSyntax method, CancellationToken cancellationToken)
    {
        SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        TypeSyntax valueTask = SyntaxFactory.ParseTypeName("global::System.Threading.Tasks.ValueTask")
            .WithTriviaFrom(method.ReturnType)
            .WithAdditionalAnnotations(Simplifier.Annotation);

        MethodDeclarationSyntax updated;
        if (method.Modifiers.Any(SyntaxKind.AsyncKeyword))
        {
            updated = method.WithReturnType(valueTask);
        }
        else
        {
            SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            updated = method.ReplaceNodes(OwnReturns(method), static (_, r) => r.WithExpression(Default()).WithReturnKeyword(
                r.ReturnKeyword.WithTrailingTrivia(SyntaxFactory.Space)));
            updated = updated.WithReturnType(valueTask);
            if (updated.ExpressionBody is { } arrow)
            {
                updated = updated
                    .WithExpressionBody(null)
                    .WithSemicolonToken(default)
                    .WithBody(SyntaxFactory.Block(
                        SyntaxFactory.ExpressionStatement(arrow.Expression.WithoutTrivia()),
                        ReturnDefault()))
                    .WithAdditionalAnnotations(Formatter.Annotation);
            }
            else if (updated.Body is { } body && EndIsReachable(model, method.Body!))
            {
                updated = updated.WithBody(body.AddStatements(ReturnDefault())).WithAdditionalAnnotations(Formatter.Annotation);
            }
        }

        return document.WithSyntaxRoot(root.ReplaceNode(method, updated));
    }

    private static bool EndIsReachable(SemanticModel? model, BlockSyntax body)
    {
        if (body.Statements.Count == 0)
        {
            return true;
        }

        ControlFlowAnalysis? flow = model?.AnalyzeControlFlow(body.Statements.First(), body.Statements.Last());
        return flow is null || !flow.Succeeded || flow.EndPointIsReachable;
    }

    private static ExpressionSyntax Default() => SyntaxFactory.LiteralExpression(SyntaxKind.DefaultLiteralExpression);

    private static StatementSyntax ReturnDefault() => SyntaxFactory.ReturnStatement(Default());

    private static async Task<Document> FixParametersAsync(Document document, MethodDeclarationSyntax method, CancellationToken cancellationToken)
    {
        SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        string kongName = "kong", tokenName = "cancellationToken";
        foreach (ParameterSyntax parameter in method.ParameterList.Parameters)
        {
            if (parameter.Type is null || model?.GetTypeInfo(parameter.Type, cancellationToken).Type is not { } type)
            {
                continue;
            }

            string name = type.ToDisplayString();
            if (name == "Kong.Pdk.IKong")
            {
                kongName = parameter.Identifier.ValueText;
            }
            else if (name == "System.Threading.CancellationToken")
            {
                tokenName = parameter.Identifier.ValueText;
            }
        }

        ParameterListSyntax parameters = SyntaxFactory.ParameterList(SyntaxFactory.SeparatedList(new[]
        {
            Parameter("global::Kong.Pdk.IKong", kongName),
            Parameter("global::System.Threading.CancellationToken", tokenName),
        })).WithTriviaFrom(method.ParameterList);
        return document.WithSyntaxRoot(root.ReplaceNode(method, method.WithParameterList(parameters)));
    }

    private static ParameterSyntax Parameter(string type, string name)
        => SyntaxFactory.Parameter(SyntaxFactory.Identifier(name))
            .WithType(SyntaxFactory.ParseTypeName(type).WithAdditionalAnnotations(Simplifier.Annotation).WithTrailingTrivia(SyntaxFactory.Space));
}
