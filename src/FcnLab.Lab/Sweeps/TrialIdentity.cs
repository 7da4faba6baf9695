using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FcnLab.Engine.Training;

namespace FcnLab.Lab.Sweeps;

/// <summary>
/// A trial's identity: SHA-256 over a canonical JSON of its resolved training settings and seed. Every
/// settable property of <see cref="TrainConfig"/> (and of the records inside it) takes part, found by
/// reflection so a setting added later cannot be forgotten, except what never changes results: the
/// thread count, and the preset's name (its settings are already resolved into the others).
/// Settings added after the first sweeps were recorded (marked <see cref="LaterSettingAttribute"/>) are
/// left out while they hold their default, so the trials already in a store keep their identity.
/// </summary>
public static class TrialIdentity
{
    private static readonly HashSet<string> Excluded = [nameof(TrainConfig.Threads), nameof(TrainConfig.Preset)];

    private static readonly TrainConfig Defaults = new();

    public static string CanonicalJson(TrainConfig config)
    {
        var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
            WriteObject(w, config, topLevel: true);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>The first 12 hex digits of SHA-256: 48 bits, ample for the trials of one store.</summary>
    public static string Hash(string canonicalJson) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalJson)))[..12];

    public static string Of(TrainConfig config) => Hash(CanonicalJson(config));

    /// <summary>The properties that make up the identity, in the order written (sorted by name, so reordering code changes nothing).</summary>
    internal static IEnumerable<PropertyInfo> IdentityProperties(Type type, bool topLevel) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.SetMethod != null && p.GetIndexParameters().Length == 0)
            .Where(p => !(topLevel && Excluded.Contains(p.Name)))
            .OrderBy(p => p.Name, StringComparer.Ordinal);

    private static void WriteObject(Utf8JsonWriter w, object value, bool topLevel)
    {
        w.WriteStartObject();
        foreach (var p in IdentityProperties(value.GetType(), topLevel))
        {
            object? v = p.GetValue(value);
            if (topLevel && p.IsDefined(typeof(LaterSettingAttribute)) && Equals(v, p.GetValue(Defaults))) continue;
            w.WritePropertyName(p.Name);
            WriteValue(w, v);
        }
        w.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter w, object? v)
    {
        switch (v)
        {
            case null: w.WriteNullValue(); break;
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case Enum e: w.WriteStringValue(e.ToString()); break;
            // "R" round-trips, so two configs share an identity only when every number is equal.
            case double d: w.WriteStringValue(d.ToString("R", CultureInfo.InvariantCulture)); break;
            case float f: w.WriteStringValue(f.ToString("R", CultureInfo.InvariantCulture)); break;
            case int i: w.WriteNumberValue(i); break;
            case long l: w.WriteNumberValue(l); break;
            case IEnumerable items:
                w.WriteStartArray();
                foreach (var item in items) WriteValue(w, item);
                w.WriteEndArray();
                break;
            default:
                var type = v.GetType();
                if (type.IsClass) WriteObject(w, v, topLevel: false);
                else throw new InvalidOperationException($"TrialIdentity cannot write a {type.Name}; add it to WriteValue.");
                break;
        }
    }
}
