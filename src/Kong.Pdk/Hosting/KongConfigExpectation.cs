using System.ComponentModel;

namespace Kong.Pdk.Hosting;

/// <summary>
/// What the generated configuration binder expected at a field, for <see cref="KongConfigReader.Mismatch"/>: each
/// member stands for one fixed text, so a binder error can only say what these say. Not meant to be used by hand.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum KongConfigExpectation
{
    /// <summary>"an object" (a record or a map).</summary>
    Object,

    /// <summary>"an array" (a list or a set).</summary>
    Array,

    /// <summary>"a string".</summary>
    String,

    /// <summary>"true or false".</summary>
    Boolean,

    /// <summary>"an integer".</summary>
    Integer,

    /// <summary>"a number".</summary>
    Number,

    /// <summary>"a UUID string".</summary>
    Uuid,

    /// <summary>"a URI string".</summary>
    Uri,

    /// <summary>"one of the values the field's schema lists" (an enum; its values are not repeated in the error).</summary>
    OneOf,
}
