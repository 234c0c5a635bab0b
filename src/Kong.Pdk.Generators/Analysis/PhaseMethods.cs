using System;
using System.Collections.Generic;
using Kong.Pdk.Generators.Helpers;
using Microsoft.CodeAnalysis;

namespace Kong.Pdk.Generators.Analysis;

/// <summary>What is wrong with a method named after a phase.</summary>
[Flags]
internal enum HandlerProblems
{
    None = 0,
    WrongReturnType = 1,
    WrongParameters = 2,
    AsyncVoid = 4,
    NotPublicInstance = 8,
}

/// <summary>A phase handler's shape, when it is usable.</summary>
internal readonly struct HandlerShape
{
    public HandlerShape(HandlerProblems problems, bool returnsTask, bool takesCancellationToken)
    {
        Problems = problems;
        ReturnsTask = returnsTask;
        TakesCancellationToken = takesCancellationToken;
    }

    public HandlerProblems Problems { get; }
    public bool ReturnsTask { get; }
    public bool TakesCancellationToken { get; }
}

/// <summary>Finds and checks phase handlers. Shared by the generator (which skips bad handlers) and the
/// analyzers (which explain them), so both agree on what a handler is.</summary>
internal static class PhaseMethods
{
    /// <summary>Names that are Kong phases elsewhere but cannot run in an external plugin (kong-protocol.md §7).</summary>
    private static readonly string[] ImpossiblePhases = { "HeaderFilter", "BodyFilter", "InitWorker", "Configure", "Balancer" };

    /// <summary>The index of <paramref name="name"/> in <see cref="KnownNames.Phases"/>, or -1.</summary>
    public static int PhaseIndex(string name) => Array.IndexOf(KnownNames.Phases, name);

    public static HandlerShape Classify(IMethodSymbol method, KnownSymbols known, bool ignoreTypeParameters = false)
    {
        HandlerProblems problems = HandlerProblems.None;
        bool returnsTask = false;
        if (method.ReturnsVoid)
        {
            problems |= method.IsAsync ? HandlerProblems.AsyncVoid : HandlerProblems.WrongReturnType;
        }
        else if (KnownSymbols.Is(method.ReturnType, known.Task) && method.ReturnType is INamedTypeSymbol { IsGenericType: false })
        {
            returnsTask = true;
        }
        else if (!(KnownSymbols.Is(method.ReturnType, known.ValueTask) && method.ReturnType is INamedTypeSymbol { IsGenericType: false }))
        {
            problems |= HandlerProblems.WrongReturnType;
        }

        bool takesToken = false;
        var parameters = method.Parameters;
        bool parametersOk = method.Parameters.Length is 1 or 2
            && KnownSymbols.Is(parameters[0].Type, known.IKong)
            && parameters[0].RefKind == RefKind.None;
        if (parametersOk && parameters.Length == 2)
        {
            parametersOk = KnownSymbols.Is(parameters[1].Type, known.CancellationToken)
                && parameters[1].RefKind == RefKind.None && !parameters[1].IsParams;
            takesToken = true;
        }

        if (!parametersOk || (method.IsGenericMethod && !ignoreTypeParameters))
        {
            problems |= HandlerProblems.WrongParameters;
        }

        if (method.IsStatic || method.DeclaredAccessibility != Accessibility.Public)
        {
            problems |= HandlerProblems.NotPublicInstance;
        }

        return new HandlerShape(problems, returnsTask, takesToken);
    }

    /// <summary>All ordinary methods of the plugin type named exactly like a phase, in declaration order.</summary>
    public static IEnumerable<IMethodSymbol> Handlers(INamedTypeSymbol type, int phase)
    {
        foreach (ISymbol member in type.GetMembers(KnownNames.Phases[phase]))
        {
            if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
            {
                yield return method;
            }
        }
    }

    /// <summary>
    /// Why a method named like a Kong phase that external plugins cannot have (<c>HeaderFilter</c>, <c>BodyFilter</c>,
    /// <c>InitWorker</c>, <c>Configure</c>, <c>Balancer</c>) will never run, with what to do instead; or
    /// <see langword="null"/>. The filter names are always meant as handlers; the others only when they take an
    /// <c>IKong</c>.
    /// </summary>
    public static string? UnavailablePhase(IMethodSymbol method, KnownSymbols known)
    {
        if (method.MethodKind != MethodKind.Ordinary)
        {
            return null;
        }

        string bare = method.Name.Replace("_", string.Empty);
        foreach (string impossible in ImpossiblePhases)
        {
            if (!string.Equals(bare, impossible, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            switch (impossible)
            {
                case "HeaderFilter":
                case "BodyFilter":
                    return "the filter phases (header_filter, body_filter) are not available to external plugins; to read or change the response, implement 'Response', which makes Kong buffer it";
                case "InitWorker" when TakesKong(method, known):
                    return "the init_worker phase is not available to external plugins; do one-time setup in the plugin's constructor or in a static field";
                case "Configure" when TakesKong(method, known):
                    return "the configure phase is not available to external plugins; the plugin's constructor runs for each configuration";
                case "Balancer" when TakesKong(method, known):
                    return "the balancer phase is not available to external plugins; choose the upstream in 'Access' with kong.Service";
            }
        }

        return null;
    }

    /// <summary>
    /// The phase a method probably meant, or <see langword="null"/>. Flags <c>HeaderFilter</c>-like names that an
    /// external plugin cannot implement (the suggestion is then <c>Response</c>), other casings (<c>access</c>),
    /// an <c>Async</c> suffix (<c>AccessAsync</c>), and, for methods that take an <c>IKong</c>, misspellings within
    /// a small edit distance (<c>Acess</c>, <c>Rewite</c>).
    /// </summary>
    public static string? LookAlike(IMethodSymbol method, KnownSymbols known)
    {
        string name = method.Name;
        if (method.MethodKind != MethodKind.Ordinary || PhaseIndex(name) >= 0)
        {
            return null;
        }

        string bare = name.Replace("_", string.Empty);
        foreach (string impossible in ImpossiblePhases)
        {
            if (string.Equals(bare, impossible, StringComparison.OrdinalIgnoreCase)
                && (impossible is "HeaderFilter" or "BodyFilter" || TakesKong(method, known)))
            {
                return "Response";
            }
        }

        foreach (string phase in KnownNames.Phases)
        {
            if (string.Equals(bare, phase, StringComparison.OrdinalIgnoreCase)
                || string.Equals(name, phase + "Async", StringComparison.Ordinal))
            {
                return phase;
            }
        }

        if (!TakesKong(method, known))
        {
            return null;
        }

        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string phase in KnownNames.Phases)
        {
            int allowed = phase.Length <= 4 ? 1 : 2;
            int distance = Naming.EditDistance(bare, phase);
            if (distance <= allowed && distance < bestDistance)
            {
                best = phase;
                bestDistance = distance;
            }
        }

        return best;
    }

    private static bool TakesKong(IMethodSymbol method, KnownSymbols known)
    {
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (KnownSymbols.Is(parameter.Type, known.IKong))
            {
                return true;
            }
        }

        return false;
    }
}
