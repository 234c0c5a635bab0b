namespace Kong.Pdk.Server;

/// <summary>What processing one request left to do for the connection loop.</summary>
internal enum RequestOutcome
{
    /// <summary>The answer is in the connection's output; flush it.</summary>
    Answered,

    /// <summary>An event answers (HandleEvent, Step); wait for it.</summary>
    AnsweredByEvent,

    /// <summary>The request could not be answered (no msgid); close the connection.</summary>
    Close,
}
