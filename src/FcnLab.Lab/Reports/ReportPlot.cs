namespace FcnLab.Lab.Reports;

/// <summary>One rendered chart: a stable id (also its file name without ".svg" and its HTML element id), a caption and the SVG text.</summary>
public sealed record ReportPlot(string Id, string Caption, string Svg)
{
    public string FileName => Id + ".svg";
}
