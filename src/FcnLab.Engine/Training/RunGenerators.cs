using System.Text.Json;
using System.Text.Json.Serialization;
using FcnLab.Engine.Random;

namespace FcnLab.Engine.Training;

/// <summary>
/// A run's random generators, one per purpose so that changing one use does not perturb the others, each
/// derived from the run seed and its purpose's name. Part of a run's <see cref="TrainingState"/>: in a
/// checkpoint, an object of purpose -> the generator's four state words. A new purpose is one name in
/// <see cref="Purposes"/> and its property.
/// </summary>
[JsonConverter(typeof(JsonForm))]
public sealed class RunGenerators
{
    private static readonly string[] Purposes = ["split", "init", "shuffle", "dropout", "augment"];

    private readonly Dictionary<string, Rng> _byPurpose;

    private RunGenerators(Dictionary<string, Rng> byPurpose) => _byPurpose = byPurpose;

    /// <summary>The train/validation split.</summary>
    public Rng Split => _byPurpose["split"];
    /// <summary>Weight initialization.</summary>
    public Rng Init => _byPurpose["init"];
    /// <summary>The training rows' order, each epoch.</summary>
    public Rng Shuffle => _byPurpose["shuffle"];
    /// <summary>Dropout masks.</summary>
    public Rng Dropout => _byPurpose["dropout"];
    /// <summary>--augment's shifts.</summary>
    public Rng Augment => _byPurpose["augment"];

    /// <summary>Every generator in its first state for <paramref name="seed"/>.</summary>
    public static RunGenerators Seeded(long seed) => new(Purposes.ToDictionary(p => p, p => Rng.ForPurpose(seed, p)));

    /// <summary>
    /// Gives the purposes a checkpoint did not save their first state for <paramref name="seed"/>: a
    /// checkpoint written before a purpose existed never drew from its generator.
    /// </summary>
    public void SeedMissing(long seed)
    {
        foreach (string p in Purposes) _byPurpose.TryAdd(p, Rng.ForPurpose(seed, p));
    }

    /// <summary>{ "split": [4 words], ... }; reading refuses unknown purposes and states that are not 4 words.</summary>
    internal sealed class JsonForm : JsonConverter<RunGenerators>
    {
        public override RunGenerators Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("the generators are not an object");
            var byPurpose = new Dictionary<string, Rng>();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string purpose = reader.GetString()!;
                if (!Purposes.Contains(purpose)) throw new JsonException($"unknown generator '{purpose}'");
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray) throw new JsonException($"generator '{purpose}' is not an array of words");
                var words = new List<ulong>();
                while (reader.Read() && reader.TokenType == JsonTokenType.Number) words.Add(reader.GetUInt64());
                if (reader.TokenType != JsonTokenType.EndArray || words.Count != 4) throw new JsonException($"generator '{purpose}' is not 4 words");
                var rng = new Rng(0);
                rng.SetState(words.ToArray());
                if (!byPurpose.TryAdd(purpose, rng)) throw new JsonException($"generator '{purpose}' appears twice");
            }
            if (reader.TokenType != JsonTokenType.EndObject) throw new JsonException("the generators are malformed");
            return new RunGenerators(byPurpose);
        }

        public override void Write(Utf8JsonWriter writer, RunGenerators value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            foreach (string p in Purposes)
            {
                if (!value._byPurpose.TryGetValue(p, out var rng)) continue;
                writer.WriteStartArray(p);
                foreach (ulong word in rng.GetState()) writer.WriteNumberValue(word);
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
    }
}
