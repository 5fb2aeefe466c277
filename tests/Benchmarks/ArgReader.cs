using System.Globalization;

namespace ImageOrleans.Benchmarks;

/// <summary>Reads <c>--name value</c> options, refusing unknown ones so a typo never runs the wrong benchmark.</summary>
public sealed class ArgReader
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public ArgReader(IEnumerable<string> args)
    {
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var name = e.Current;
            if (!name.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{name}'; options look like --name value.");
            }

            if (!e.MoveNext())
            {
                throw new ArgumentException($"Option {name} needs a value.");
            }

            _values[name[2..]] = e.Current;
        }
    }

    public int Number(string name, int fallback) => Get(name, fallback, s => int.Parse(s, CultureInfo.InvariantCulture));

    public double Real(string name, double fallback) => Get(name, fallback, s => double.Parse(s, CultureInfo.InvariantCulture));

    public string? Text(string name, string? fallback = null) => Get(name, fallback, s => s);

    /// <summary>Fails on options nobody asked for.</summary>
    public void EnsureAllUsed()
    {
        var unknown = _values.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}");
        }
    }

    private T Get<T>(string name, T fallback, Func<string, T> parse)
    {
        _used.Add(name);
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        try
        {
            return parse(text);
        }
        catch (FormatException)
        {
            throw new ArgumentException($"Option --{name}: '{text}' is not a valid value.");
        }
    }
}
