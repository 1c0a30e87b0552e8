using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace CompatAI.Gateway.Tests.Infrastructure;

/// <summary>
/// The Node side of the gateway tests: finds <c>tests/CompatAI.Gateway.Tests/node</c>, the <c>node</c> executable, and
/// installs the pinned npm packages (<c>npm ci</c>) on first use, so a fresh clone needs no manual setup step.
/// </summary>
/// <remarks>
/// The install runs at most once per test run however many tests ask for it in parallel (a static <see cref="Lazy{T}"/>
/// of a task), and is also serialized across processes by a lock file in the temp folder, since two <c>npm ci</c> in the
/// same folder break each other. <c>node/setup.sh</c> does the same install by hand (CI runs it); after it, this is a no-op.
/// </remarks>
internal static class NodePackages
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly string[] InstallArguments = ["ci", "--no-audit", "--no-fund"];
    private const int OutputTailLines = 60;
    private const int OutputTailChars = 8000;

    private const string InstallHelp =
        "The gateway's Node tests run the official 'openai' npm package and need Node.js 20 or later and npm on PATH. "
        + "Install Node.js (npm comes with it) from https://nodejs.org/ or with a package manager, e.g. "
        + "'sudo apt-get install nodejs npm' (Debian/Ubuntu; or NodeSource for a recent version), 'brew install node' (macOS), "
        + "'winget install OpenJS.NodeJS.LTS' (Windows); then rerun 'dotnet test'. The tests run 'npm ci' themselves on first use.";

    private static readonly Lazy<string> FolderValue = new(FindFolder, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<Task> Installation = new(
        () => Task.Run(InstallIfMissingAsync), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Absolute path of <c>tests/CompatAI.Gateway.Tests/node</c> in the source tree.</summary>
    public static string Folder => FolderValue.Value;

    /// <summary>Absolute path of <c>node</c> on PATH; throws with install instructions when it is missing.</summary>
    public static string Node => RequireOnPath("node");

    /// <summary>
    /// Ensures <c>node_modules</c> holds the pinned packages, running <c>npm ci</c> once if it does not.
    /// Throws with npm's exit code and the tail of its output when the install fails or times out,
    /// and with install instructions when node or npm is not on PATH.
    /// </summary>
    public static Task EnsureInstalledAsync() => Installation.Value;

    private static bool IsInstalled(string folder) =>
        File.Exists(Path.Combine(folder, "node_modules", "openai", "package.json"))
        && File.Exists(Path.Combine(folder, "node_modules", "playwright-core", "package.json"))
        && File.Exists(Path.Combine(folder, "node_modules", "uplot", "package.json"))
        // npm writes its hidden lockfile at the end of an install: without it, node_modules is a broken partial install.
        && File.Exists(Path.Combine(folder, "node_modules", ".package-lock.json"));

    private static async Task InstallIfMissingAsync()
    {
        var folder = Folder;
        if (IsInstalled(folder))
        {
            return;
        }

        RequireOnPath("node");
        var npm = RequireOnPath("npm");

        await using var crossProcessLock = await AcquireLockAsync(folder);
        if (IsInstalled(folder))
        {
            return; // Another process installed while we waited for the lock.
        }

        await RunNpmCiAsync(npm, folder);
        if (!IsInstalled(folder))
        {
            throw new InvalidOperationException(
                $"'npm {string.Join(' ', InstallArguments)}' in {folder} exited 0, but node_modules/openai (or node_modules/.package-lock.json) is still missing.");
        }
    }

    private static async Task RunNpmCiAsync(string npm, string folder)
    {
        var start = StartInfo(npm, InstallArguments);
        start.WorkingDirectory = folder;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;

        var output = new StringBuilder();
        void Append(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        }

        var command = $"npm {string.Join(' ', InstallArguments)}";
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new InvalidOperationException($"Could not start '{command}' ({npm}) in {folder}: {e.Message}. {InstallHelp}", e);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(InstallTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            if (!process.HasExited)
            {
                // Kill throws InvalidOperationException only if it exited in between; then there is nothing to stop.
                process.Kill(entireProcessTree: true);
            }

            throw new TimeoutException(
                $"'{command}' in {folder} did not finish within {InstallTimeout.TotalMinutes:0.##} minutes and was killed. "
                + $"Run {Path.Combine(folder, "setup.sh")} by hand to see why. Last output:\n{Tail(output)}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{command}' in {folder} failed with exit code {process.ExitCode} after {stopwatch.Elapsed.TotalSeconds:0.0}s "
                + $"(the Node tests need it to install the 'openai' npm package). Last output:\n{Tail(output)}");
        }
    }

    /// <summary>Takes an exclusive lock file (FileShare.None, retried) so two test processes never run npm ci at once.</summary>
    private static async Task<FileStream> AcquireLockAsync(string folder)
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(folder))))[..16];
        var path = Path.Combine(Path.GetTempPath(), $"compatai-npm-ci-{key}.lock");
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // Not DeleteOnClose: unlinking a lock file others may have just opened would let two holders coexist.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (deadline.Elapsed < InstallTimeout + TimeSpan.FromMinutes(1))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250));
            }
            catch (IOException e)
            {
                throw new TimeoutException(
                    $"Waited {deadline.Elapsed.TotalMinutes:0} minutes for another process's npm ci in {folder} (lock file {path}); giving up.", e);
            }
        }
    }

    private static ProcessStartInfo StartInfo(string executable, IReadOnlyList<string> arguments)
    {
        // npm on Windows is npm.cmd, which must run through cmd.exe.
        if (OperatingSystem.IsWindows() && executable.EndsWith(".cmd", StringComparison.OrdinalIgnoreCase))
        {
            return new ProcessStartInfo("cmd.exe", ["/d", "/c", executable, .. arguments]);
        }

        return new ProcessStartInfo(executable, arguments);
    }

    /// <summary>The absolute path of <paramref name="tool"/> on PATH, or an exception that says how to install Node.js.</summary>
    private static string RequireOnPath(string tool)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        string[] extensions = OperatingSystem.IsWindows()
            ? [".cmd", ".exe", ".bat", ""]
            : [""];
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            foreach (var extension in extensions)
            {
                var candidate = Path.Combine(dir, tool + extension);
                if (File.Exists(candidate) && IsExecutable(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new InvalidOperationException($"'{tool}' was not found on PATH ({path}). {InstallHelp}");
    }

    private static bool IsExecutable(string file) =>
        OperatingSystem.IsWindows()
        || (File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    private static string Tail(StringBuilder output)
    {
        string text;
        lock (output)
        {
            text = output.ToString();
        }

        var lines = text.TrimEnd().Split('\n');
        var tail = string.Join('\n', lines.Skip(Math.Max(0, lines.Length - OutputTailLines)));
        if (tail.Length > OutputTailChars)
        {
            tail = "..." + tail[^OutputTailChars..];
        }

        return tail.Length == 0 ? "(npm printed nothing)" : tail;
    }

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "CompatAI.Gateway.Tests", "node");
            if (File.Exists(Path.Combine(candidate, "gateway-client.mjs")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/CompatAI.Gateway.Tests/node not found above " + AppContext.BaseDirectory);
    }
}
