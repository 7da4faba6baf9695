using System.Globalization;

namespace FcnLab.Lab.Reports.Charts;

/// <summary>
/// Parallel coordinates (Optuna's and W&amp;B's sweep view): one vertical axis per setting, then the metric's axis;
/// one line per trial through its setting values to its metric, colored by the metric (a color bar explains the
/// color), the best lines drawn last so they lie on top. A setting whose values are all numbers gets a numeric axis
/// (logarithmic when they are positive and span at least a factor of 100, as learning rates do); any other setting
/// an axis of its distinct values in order of first appearance.
/// </summary>
public static class ParallelCoordinates
{
    private const double Left = 60, Top = 76, PlotHeight = 300, AxisGap = 150, BottomSpace = 40, MinWidth = 560;
    private const int NameChars = 20, LabelChars = 14, MaxTickLabels = 12;

    /// <param name="settings">The axes' names, in order; each line gives one value per name.</param>
    public static string Render(string title, IReadOnlyList<string> settings, IReadOnlyList<ParallelLine> lines, string metricLabel)
    {
        var drawn = lines.Where(l => double.IsFinite(l.Metric)).OrderBy(l => l.Metric).ToList();
        int axes = settings.Count + 1;
        double metricX = Left + settings.Count * AxisGap;
        double barX = metricX + 90;
        double width = Math.Max(Math.Max(barX + 100, MinWidth), SvgText.Width(title, 14) + 40);
        double bottom = Top + PlotHeight;
        var svg = new SvgBuilder(width, bottom + BottomSpace, title);

        // Every value swept is on its axis, also those of trials without a metric yet (the lines say which were tried).
        var scales = settings.Select((_, i) => SettingScale.Of(lines.Select(l => i < l.Settings.Count ? l.Settings[i] : "").ToList())).ToList();
        var metric = Axis.Nice(drawn.Select(l => l.Metric));
        double Y01(double f) => bottom - f * PlotHeight;

        // The axes, then the lines (worst first), then the names and tick labels on top of the lines (on white, to stay readable).
        for (int a = 0; a < axes; a++)
            svg.Line(Left + a * AxisGap, Top, Left + a * AxisGap, bottom, "#444444");
        foreach (var line in drawn)
        {
            var points = new List<(double X, double Y)?>(axes);
            for (int a = 0; a < settings.Count; a++)
                points.Add((Left + a * AxisGap, Y01(scales[a].Position(a < line.Settings.Count ? line.Settings[a] : ""))));
            points.Add((metricX, metric.Map(line.Metric, bottom, Top)));
            svg.Path(points, Color(Fraction(line.Metric, metric)), 1.5, null);
        }
        for (int a = 0; a < axes; a++)
        {
            double x = Left + a * AxisGap;
            string name = a < settings.Count ? settings[a] : metricLabel;
            svg.Text(x, Top - 14, SvgText.Shorten(name, NameChars), anchor: "middle", size: 12, weight: a == settings.Count ? "bold" : null, tooltip: name);
            var ticks = a < settings.Count
                ? scales[a].Ticks
                : [.. metric.Ticks.Select(t => (metric.Label(t), (t - metric.Min) / (metric.Max - metric.Min)))];
            foreach (var (label, f) in ticks)
            {
                string shown = SvgText.Shorten(label, LabelChars);
                svg.Line(x - 4, Y01(f), x, Y01(f), "#444444");
                svg.Rect(x - 8 - SvgText.Width(shown, 10), Y01(f) - 6, SvgText.Width(shown, 10) + 4, 12, "#ffffff");
                svg.Text(x - 6, Y01(f) + 4, shown, anchor: "end", size: 10);
            }
        }

        // The color bar: the metric from its lowest (bottom) to its highest value (top).
        const int steps = 20;
        double stepH = PlotHeight / steps;
        for (int s = 0; s < steps; s++)
            svg.Rect(barX, Top + (steps - 1 - s) * stepH, 14, stepH, Color((s + 0.5) / steps));
        svg.Rect(barX, Top, 14, PlotHeight, "none", stroke: "#888888");
        svg.Text(barX + 18, Top + 4, metric.Label(metric.Max));
        svg.Text(barX + 18, bottom + 4, metric.Label(metric.Min));
        svg.Text(barX + 70, Top + PlotHeight / 2, SvgText.Shorten(metricLabel, 40), anchor: "middle", size: 10, rotate: 90);

        int left = lines.Count - drawn.Count;
        string note = drawn.Count == 0
            ? "no trial has a value of this metric yet"
            : string.Format(CultureInfo.InvariantCulture, "{0} trials{1}", drawn.Count, left > 0 ? string.Format(CultureInfo.InvariantCulture, "; {0} without a value not drawn", left) : "");
        svg.Text(width / 2, 38, note, anchor: "middle", fill: "#555555");
        return svg.ToString();
    }

    private static double Fraction(double v, Axis axis) => Math.Clamp((v - axis.Min) / (axis.Max - axis.Min), 0, 1);

    /// <summary>Viridis, sampled at five stops and interpolated: dark purple (0) to yellow (1), readable in gray too.</summary>
    private static readonly int[] Viridis = [0x440154, 0x3b528b, 0x21918c, 0x5ec962, 0xfde725];

    private static string Color(double f)
    {
        int[] stops = Viridis;
        double p = Math.Clamp(f, 0, 1) * (stops.Length - 1);
        int i = Math.Min((int)p, stops.Length - 2);
        double t = p - i;
        int Channel(int shift) => (int)Math.Round(((stops[i] >> shift) & 0xff) * (1 - t) + ((stops[i + 1] >> shift) & 0xff) * t);
        return string.Create(CultureInfo.InvariantCulture, $"rgb({Channel(16)},{Channel(8)},{Channel(0)})");
    }

    /// <summary>Where each value of one setting lies on its axis (0 bottom, 1 top), and the ticks to label.</summary>
    private sealed class SettingScale
    {
        private readonly Func<string, double> _position;
        public IReadOnlyList<(string Label, double Fraction)> Ticks { get; }

        private SettingScale(Func<string, double> position, IReadOnlyList<(string, double)> ticks)
        {
            _position = position;
            Ticks = ticks;
        }

        public double Position(string value) => _position(value);

        public static SettingScale Of(IReadOnlyList<string> values)
        {
            var distinct = values.Distinct(StringComparer.Ordinal).ToList();
            var numbers = distinct.Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) ? d : (double?)null).ToList();
            if (distinct.Count > 0 && numbers.All(n => n != null))
            {
                var xs = numbers.Select(n => n!.Value).ToList();
                double min = xs.Min(), max = xs.Max();
                bool log = min > 0 && max / min >= 100;
                Func<double, double> f = log
                    ? v => max == min ? 0.5 : (Math.Log10(v) - Math.Log10(min)) / (Math.Log10(max) - Math.Log10(min))
                    : v => max == min ? 0.5 : (v - min) / (max - min);
                var byText = distinct.Zip(xs).ToDictionary(p => p.First, p => f(p.Second), StringComparer.Ordinal);
                List<(string, double)> ticks;
                if (distinct.Count <= MaxTickLabels)
                    ticks = [.. distinct.Zip(xs).OrderBy(p => p.Second).Select(p => (p.Second.ToString("G4", CultureInfo.InvariantCulture), f(p.Second)))];
                else if (log)
                    ticks = [.. Enumerable.Range((int)Math.Ceiling(Math.Log10(min)), (int)Math.Floor(Math.Log10(max)) - (int)Math.Ceiling(Math.Log10(min)) + 1)
                        .Select(e => (Math.Pow(10, e).ToString("G3", CultureInfo.InvariantCulture), f(Math.Pow(10, e))))];
                else
                {
                    var axis = Axis.Nice(xs);
                    ticks = [.. axis.Ticks.Where(t => t >= min && t <= max).Select(t => (axis.Label(t), f(t)))];
                }
                return new SettingScale(v => byText.GetValueOrDefault(v, 0.5), ticks);
            }
            // Categories, in order of first appearance, spread evenly.
            var index = distinct.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => distinct.Count == 1 ? 0.5 : (double)p.i / (distinct.Count - 1), StringComparer.Ordinal);
            var shown = distinct.Count <= MaxTickLabels ? distinct : [.. distinct.Where((_, i) => i % (int)Math.Ceiling(distinct.Count / (double)MaxTickLabels) == 0)];
            return new SettingScale(v => index.GetValueOrDefault(v, 0.5), [.. shown.Select(v => (v, index[v]))]);
        }
    }
}
