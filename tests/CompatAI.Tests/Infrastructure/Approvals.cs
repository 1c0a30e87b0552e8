using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CompatAI.Tests.Infrastructure;

/// <summary>
/// A small approval helper (Verify is not in the package registry here): the actual JSON is compared, canonically
/// indented, with <c>Golden/&lt;name&gt;.json</c> beside the tests. Run with <c>COMPATAI_APPROVE=1</c> to write or update
/// golden files, then review the diff in git.
/// </summary>
public static class Approvals
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void VerifyJson(string name, JsonNode actual, [CallerFilePath] string callerFile = "")
    {
        var goldenDirectory = Path.Combine(FindTestProjectDirectory(callerFile), "Golden");
        var path = Path.Combine(goldenDirectory, name + ".json");
        var actualText = actual.ToJsonString(s_indented).ReplaceLineEndings("\n") + "\n";
        var approve = Environment.GetEnvironmentVariable("COMPATAI_APPROVE") == "1";

        if (!File.Exists(path))
        {
            if (approve)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, actualText);
                return;
            }

            Assert.Fail($"No golden file {path}. Actual:\n{actualText}\nRun the tests with COMPATAI_APPROVE=1 to accept it.");
        }

        var expectedText = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (expectedText == actualText)
        {
            return;
        }

        if (approve)
        {
            File.WriteAllText(path, actualText);
            return;
        }

        Assert.Fail($"{name} differs from its golden file {path}.\n--- expected\n{expectedText}\n--- actual\n{actualText}\nIf the change is intended, run with COMPATAI_APPROVE=1 and review the diff.");
    }

    private static string FindTestProjectDirectory(string callerFile)
    {
        var directory = Path.GetDirectoryName(callerFile);
        while (directory is not null && !File.Exists(Path.Combine(directory, "CompatAI.Tests.csproj")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? throw new InvalidOperationException($"Cannot find the test project above {callerFile}.");
    }
}
