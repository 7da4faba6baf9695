namespace FcnLab.Cli;

/// <summary>Plain-text and JSON renderings of results, shared by train and eval.</summary>
public static class Reporting
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string EpochLine(EpochMetrics m, int epochs)
    {
        string val = m.ValLoss is { } vl ? string.Format(Inv, "  val_loss {0:F4}  val_acc {1}", vl, Percent(m.ValAccuracy)) : "";
        return string.Format(Inv, "epoch {0,3}/{1}  train_loss {2:F4}  train_acc {3}{4}  lr {5:G4}  {6:F1}s",
            m.Epoch, epochs, m.TrainLoss, Percent(m.TrainAccuracy), val, m.Lr, m.Seconds);
    }

    /// <summary>Test loss and accuracy, per-class precision/recall/F1, and the confusion matrix with class names.</summary>
    public static void WriteEvaluation(TextWriter w, EvalResult test, IReadOnlyList<string> classNames)
    {
        classNames = [.. classNames.Select(Printable.Escape)];
        w.WriteLine(string.Format(Inv, "test_loss {0:F4}  test_accuracy {1}  ({2} examples)", test.Loss, Percent(test.Accuracy), test.Count));
        w.WriteLine();
        int nameWidth = Math.Max(5, classNames.Max(n => n.Length));
        w.WriteLine($"{"class".PadRight(nameWidth)}  accuracy  precision  recall      f1  support");
        foreach (var c in test.PerClass())
        {
            // Per-class accuracy is the class's recall: correct among its examples.
            w.WriteLine(string.Format(Inv, "{0}  {1,8}  {2,9:F4}  {3,6:F4}  {4,6:F4}  {5,7}",
                classNames[c.Class].PadRight(nameWidth), Percent(c.Recall), c.Precision, c.Recall, c.F1, c.Support));
        }
        w.WriteLine();
        w.WriteLine("confusion matrix (rows: true class, columns: predicted class)");
        int cell = Math.Max(6, test.Confusion.Cast<long>().Max().ToString(Inv).Length + 1);
        w.Write("".PadRight(nameWidth));
        for (int j = 0; j < test.Classes; j++) w.Write(j.ToString(Inv).PadLeft(cell));
        w.WriteLine();
        for (int i = 0; i < test.Classes; i++)
        {
            w.Write(classNames[i].PadRight(nameWidth));
            for (int j = 0; j < test.Classes; j++) w.Write(test.Confusion[i, j].ToString(Inv).PadLeft(cell));
            w.WriteLine($"   {i}");
        }
    }

    /// <summary>A fraction as a percentage with two decimals: 0.8607 -> "86.07%".</summary>
    public static string Percent(double? fraction) => fraction is { } f ? (f * 100).ToString("F2", Inv) + "%" : "n/a";
}
