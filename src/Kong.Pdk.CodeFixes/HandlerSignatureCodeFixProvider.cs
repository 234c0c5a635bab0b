using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Kong.Pdk.Generators.Analysis;
using Kong.Pdk.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace Kong.Pdk.CodeFixes;

/// <summary>Fixes phase handler signatures: returns <c>ValueTask</c> or <c>Task</c> (KONG0001, KONG0003), takes
/// <c>(IKong kong, CancellationToken cancellationToken)</c> and is not generic (KONG0002), or both at once. Fix all
/// rewrites each method once with every fix its key asks for, so a method with several diagnostics is fixed whole.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(HandlerSignatureCodeFixProvider)), Shared]
public sealed class HandlerSignatureCodeFixProvider : CodeFixProvider
{
    public const string ReturnTypeKey = "Kong.ReturnValueTask";
    public const string ParametersKey = "Kong.HandlerParameters";
    public const string SignatureKey = "Kong.HandlerSignature";

    private const string ParametersTitle = "Take (IKong kong, CancellationToken cancellationToken)";
    private const string SignatureTitle = "Fix the phase handler's signature";

    /// <summary>How the return type is fixed.</summary>
    private enum ReturnFix
    {
        None,

        /// <summary>An async method without values: the return type becomes ValueTask.</summary>
        AsyncNoValue,

        /// <summary>An async method returning values: ValueTask, each value is dropped (its expression still runs).</summary>
        AsyncDropValues,

        /// <summary>A synchronous void method: ValueTask and <c>return default;</c>.</summary>
        SyncVoid,

        /// <summary>A synchronous <c>Task&lt;T&gt;</c> method: <c>Task</c>; every <c>Task&lt;T&gt;</c> already is one.</summary>
        SyncTaskOfT,

        /// <summary>A synchronous <c>ValueTask&lt;T&gt;</c> method: <c>ValueTask</c>, returning <c>new ValueTask(x.AsTask())</c>.</summary>
        SyncValueTaskOfT,
    }

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        DiagnosticIds.HandlerReturnType, DiagnosticIds.HandlerAsyncVoid, DiagnosticIds.HandlerParameters);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(FixAllInDocumentAsync);

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (model is null || root?.FindToken(context.Span.Start).Parent?.FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } method
            || model.GetDeclaredSymbol(method, context.CancellationToken) is not { } symbol)
        {
            return;
        }

        HandlerProblems problems = PhaseMethods.Classify(symbol, KnownSymbols.Create(model.Compilation)).Problems;
        ReturnFix returnFix = (problems & (HandlerProblems.WrongReturnType | HandlerProblems.AsyncVoid)) != 0 ? ChooseReturnFix(method, symbol, model) : ReturnFix.None;
        bool parametersFix = (problems & HandlerProblems.WrongParameters) != 0;
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (diagnostic.Id == DiagnosticIds.HandlerParameters)
            {
                context.RegisterCodeFix(CodeAction.Create(
                    ParametersTitle,
                    ct => FixAsync(context.Document, method, ReturnFix.None, fixParameters: true, ct),
                    ParametersKey), diagnostic);
            }
            else if (returnFix != ReturnFix.None)
            {
                context.RegisterCodeFix(CodeAction.Create(
                    returnFix == ReturnFix.SyncTaskOfT ? "Return Task" : "Return ValueTask",
                    ct => FixAsync(context.Document, method, returnFix, fixParameters: false, ct),
                    ReturnTypeKey), diagnostic);
            }

            // Offered on every handler diagnostic, so that fix all with it repairs every handler of the scope whole,
            // whichever of its diagnostics it was started from.
            if (returnFix != ReturnFix.None || parametersFix)
            {
                context.RegisterCodeFix(CodeAction.Create(
                    SignatureTitle,
                    ct => FixAsync(context.Document, method, returnFix, parametersFix, ct),
                    SignatureKey), diagnostic);
            }
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

        string? key = context.CodeActionEquivalenceKey;
        var fixes = new Dictionary<MethodDeclarationSyntax, (ReturnFix Return, bool Parameters)>();
        foreach (Diagnostic diagnostic in diagnostics)
        {
            if (root.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } method
                || model.GetDeclaredSymbol(method, context.CancellationToken) is not { } symbol)
            {
                continue;
            }

            fixes.TryGetValue(method, out var fix);
            bool isParameters = diagnostic.Id == DiagnosticIds.HandlerParameters;
            if (key == SignatureKey || (key == ParametersKey && isParameters))
            {
                fix.Parameters |= (PhaseMethods.Classify(symbol, KnownSymbols.Create(model.Compilation)).Problems & HandlerProblems.WrongParameters) != 0;
            }

            if (key == SignatureKey || (key == ReturnTypeKey && !isParameters))
            {
                HandlerProblems problems = PhaseMethods.Classify(symbol, KnownSymbols.Create(model.Compilation)).Problems;
                if ((problems & (HandlerProblems.WrongReturnType | HandlerProblems.AsyncVoid)) != 0)
                {
                    fix.Return = ChooseReturnFix(method, symbol, model);
                }
            }

            fixes[method] = fix;
        }

        if (fixes.Count == 0)
        {
            return null;
        }

        SyntaxNode updated = root.ReplaceNodes(fixes.Keys, (original, _) =>
            FixMethod(original, model, fixes[original].Return, fixes[original].Parameters, context.CancellationToken));
        return document.WithSyntaxRoot(updated);
    }

    private static async Task<Document> FixAsync(Document document, MethodDeclarationSyntax method, ReturnFix returnFix, bool fixParameters, CancellationToken cancellationToken)
    {
        SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        return document.WithSyntaxRoot(root.ReplaceNode(method, FixMethod(method, model, returnFix, fixParameters, cancellationToken)));
    }

    /// <summary>Rewrites <paramref name="method"/> (a node of the tree <paramref name="model"/> describes).</summary>
    private static MethodDeclarationSyntax FixMethod(MethodDeclarationSyntax method, SemanticModel? model, ReturnFix returnFix, bool fixParameters, CancellationToken cancellationToken)
    {
        (string kongName, string tokenName) = ParameterNames(method, model, cancellationToken);
        MethodDeclarationSyntax updated = returnFix == ReturnFix.None ? method : FixReturnType(method, model, returnFix);
        return fixParameters ? FixParameters(updated, kongName, tokenName) : updated;
    }

    /// <summary>Which return-type fix applies, or <see cref="ReturnFix.None"/> when none keeps the method's meaning.</summary>
    private static ReturnFix ChooseReturnFix(MethodDeclarationSyntax method, IMethodSymbol symbol, SemanticModel model)
    {
        if (method.Body is null && method.ExpressionBody is null)
        {
            return ReturnFix.None;
        }

        if (method.Modifiers.Any(SyntaxKind.AsyncKeyword))
        {
            bool returnsValues = method.ExpressionBody is not null
                ? symbol.ReturnType is INamedTypeSymbol { IsGenericType: true }
                : OwnReturns(method).Any(static r => r.Expression is not null);
            return returnsValues ? ReturnFix.AsyncDropValues : ReturnFix.AsyncNoValue;
        }

        if (symbol.ReturnsVoid)
        {
            return ReturnFix.SyncVoid;
        }

        if (symbol.ReturnType is INamedTypeSymbol { IsGenericType: true } generic)
        {
            string? definition = generic.OriginalDefinition.ToDisplayString();
            if (definition == "System.Threading.Tasks.Task<TResult>")
            {
                return ReturnFix.SyncTaskOfT;
            }

            if (definition == "System.Threading.Tasks.ValueTask<TResult>")
            {
                return ReturnFix.SyncValueTaskOfT;
            }
        }

        return ReturnFix.None;
    }

    /// <summary>The return statements of the method itself, not of lambdas or local functions inside it.</summary>
    private static IEnumerable<ReturnStatementSyntax> OwnReturns(MethodDeclarationSyntax method)
        => method.DescendantNodes(static node => node is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            .OfType<ReturnStatementSyntax>();

    private static TypeSyntax TaskType(string name, MethodDeclarationSyntax method)
        => SyntaxFactory.ParseTypeName("global::System.Threading.Tasks." + name)
            .WithTriviaFrom(method.ReturnType)
            .WithAdditionalAnnotations(Simplifier.Annotation);

    private static MethodDeclarationSyntax FixReturnType(MethodDeclarationSyntax method, SemanticModel? model, ReturnFix fix)
    {
        switch (fix)
        {
            case ReturnFix.AsyncNoValue:
                return method.WithReturnType(TaskType("ValueTask", method));
            case ReturnFix.SyncTaskOfT:
                return method.WithReturnType(TaskType("Task", method));
            case ReturnFix.AsyncDropValues:
                return DropReturnedValues(method).WithReturnType(TaskType("ValueTask", method));
            case ReturnFix.SyncValueTaskOfT:
                return WrapValueTasks(method).WithReturnType(TaskType("ValueTask", method));
        }

        MethodDeclarationSyntax updated = method.ReplaceNodes(OwnReturns(method), static (_, r) => r.WithExpression(Default()).WithReturnKeyword(
            r.ReturnKeyword.WithTrailingTrivia(SyntaxFactory.Space)));
        updated = updated.WithReturnType(TaskType("ValueTask", method));
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

        return updated;
    }

    /// <summary><c>return x;</c> becomes <c>return;</c> when <c>x</c> has no effect, otherwise <c>x; return;</c>
    /// (or <c>_ = x; return;</c>), without the <c>return;</c> at the end of the body. An async expression body
    /// <c>=&gt; x</c> stays: the compiler accepts any expression body of an async ValueTask method only when it is a
    /// statement expression, so it becomes <c>_ = x</c> otherwise.</summary>
    private static MethodDeclarationSyntax DropReturnedValues(MethodDeclarationSyntax method)
    {
        if (method.ExpressionBody is { } arrow)
        {
            ExpressionSyntax expression = arrow.Expression;
            return IsStatementExpression(expression)
                ? method
                : method.WithExpressionBody(arrow.WithExpression(Discard(expression.WithoutTrivia()).WithTriviaFrom(expression)));
        }

        var last = method.Body?.Statements.LastOrDefault() as ReturnStatementSyntax;
        return method.ReplaceNodes(OwnReturns(method).Where(static r => r.Expression is not null), (original, _) =>
        {
            ExpressionSyntax value = original.Expression!.WithoutTrivia();
            var statements = new List<StatementSyntax>();
            if (HasEffect(value))
            {
                statements.Add(SyntaxFactory.ExpressionStatement(IsStatementExpression(value) ? value : Discard(value)));
            }

            if (original != last || statements.Count == 0)
            {
                statements.Add(SyntaxFactory.ReturnStatement());
            }

            if (statements.Count == 1)
            {
                return statements[0].WithTriviaFrom(original);
            }

            // Two statements replace one: a block keeps them together wherever the return was.
            return SyntaxFactory.Block(statements).WithTriviaFrom(original).WithAdditionalAnnotations(Formatter.Annotation);
        }).WithAdditionalAnnotations(Formatter.Annotation);
    }

    /// <summary>Each value <c>x</c> a synchronous <c>ValueTask&lt;T&gt;</c> method returns becomes
    /// <c>new ValueTask(x.AsTask())</c>, which completes when <c>x</c> does.</summary>
    private static MethodDeclarationSyntax WrapValueTasks(MethodDeclarationSyntax method)
    {
        if (method.ExpressionBody is { } arrow)
        {
            return method.WithExpressionBody(arrow.WithExpression(WrapValueTask(arrow.Expression.WithoutTrivia()).WithTriviaFrom(arrow.Expression)));
        }

        return method.ReplaceNodes(OwnReturns(method).Where(static r => r.Expression is not null),
            static (original, _) => original.WithExpression(WrapValueTask(original.Expression!.WithoutTrivia())));
    }

    private static ExpressionSyntax WrapValueTask(ExpressionSyntax value)
        => SyntaxFactory.ObjectCreationExpression(SyntaxFactory.ParseTypeName("global::System.Threading.Tasks.ValueTask").WithAdditionalAnnotations(Simplifier.Annotation))
            .WithArgumentList(SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(
                SyntaxFactory.InvocationExpression(SyntaxFactory.MemberAccessExpression(
                    SyntaxKind.SimpleMemberAccessExpression,
                    SyntaxFactory.ParenthesizedExpression(value).WithAdditionalAnnotations(Simplifier.Annotation),
                    SyntaxFactory.IdentifierName("AsTask")))))))
            .WithAdditionalAnnotations(Formatter.Annotation);

    private static bool IsStatementExpression(ExpressionSyntax expression)
        => expression is InvocationExpressionSyntax or AwaitExpressionSyntax or AssignmentExpressionSyntax or ObjectCreationExpressionSyntax
            or PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression }
            or PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression };

    /// <summary>Literals, names and <c>default</c> have no effect and are dropped; everything else still runs.</summary>
    private static bool HasEffect(ExpressionSyntax value)
        => value is not (LiteralExpressionSyntax or IdentifierNameSyntax or DefaultExpressionSyntax or ThisExpressionSyntax);

    private static ExpressionSyntax Discard(ExpressionSyntax value)
        => SyntaxFactory.AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, SyntaxFactory.IdentifierName("_"), value);

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

    private static (string Kong, string Token) ParameterNames(MethodDeclarationSyntax method, SemanticModel? model, CancellationToken cancellationToken)
    {
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

        return (kongName, tokenName);
    }

    /// <summary>The parameter list becomes <c>(IKong kong, CancellationToken cancellationToken)</c>, and a generic
    /// method loses its type parameters and their constraints.</summary>
    private static MethodDeclarationSyntax FixParameters(MethodDeclarationSyntax method, string kongName, string tokenName)
    {
        ParameterListSyntax parameters = SyntaxFactory.ParameterList(SyntaxFactory.SeparatedList(new[]
        {
            Parameter("global::Kong.Pdk.IKong", kongName),
            Parameter("global::System.Threading.CancellationToken", tokenName),
        })).WithTriviaFrom(method.ParameterList);
        MethodDeclarationSyntax updated = method.WithParameterList(parameters);
        if (updated.TypeParameterList is not null)
        {
            updated = updated.WithTypeParameterList(null).WithConstraintClauses(default);
            if (method.ConstraintClauses.Count > 0)
            {
                // The constraints sat between the parameter list and the body: keep the body's own spacing.
                updated = updated.WithParameterList(updated.ParameterList.WithTrailingTrivia(method.ConstraintClauses.Last().GetTrailingTrivia()));
            }
        }

        return updated;
    }

    private static ParameterSyntax Parameter(string type, string name)
        => SyntaxFactory.Parameter(SyntaxFactory.Identifier(name))
            .WithType(SyntaxFactory.ParseTypeName(type).WithAdditionalAnnotations(Simplifier.Annotation).WithTrailingTrivia(SyntaxFactory.Space));
}
