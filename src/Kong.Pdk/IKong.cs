using Kong.Pdk.Pdk;

namespace Kong.Pdk;

/// <summary>
/// The Kong PDK as a phase handler receives it: one object per event (one phase of one request). Every call is a
/// round trip to Kong over the plugin socket, so read what you need once (for example
/// <see cref="KongRequest.GetHeadersAsync"/> instead of many <see cref="KongRequest.GetHeaderAsync"/>).
/// </summary>
/// <remarks>
/// The object is valid only while its handler runs. After <see cref="KongResponse.ExitAsync(int, string?, IReadOnlyDictionary{string, string}?, CancellationToken)"/>
/// or <see cref="KongResponse.ErrorAsync"/>, and after the event was abandoned, every call throws
/// <see cref="KongEventEndedException"/>.
/// </remarks>
public interface IKong
{
    /// <summary>The phase this event runs in.</summary>
    KongPhase Phase { get; }

    /// <summary><c>kong.request</c>: the client's request.</summary>
    KongRequest Request { get; }

    /// <summary><c>kong.response</c>: the response to the client.</summary>
    KongResponse Response { get; }

    /// <summary><c>kong.log</c>: Kong's error log.</summary>
    KongLog Log { get; }
}
