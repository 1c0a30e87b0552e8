using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;

namespace CompatAI.Gateway.Management;

/// <summary>The dashboard's static files, embedded in the gateway assembly (<c>Dashboard/assets</c>), served with ETags.</summary>
internal static class DashboardFiles
{
    private const string ResourcePrefix = "dashboard/";
    private static readonly Lazy<FrozenDictionary<string, (byte[] Bytes, string ContentType, string ETag)>> s_files = new(Load);

    public static IReadOnlyCollection<string> Names => s_files.Value.Keys;

    /// <summary>Serves the page at <c>/dashboard/</c>, and redirects <c>/dashboard</c> there.</summary>
    public static Task ServePageAsync(HttpContext http)
    {
        if (http.Request.Path.Value?.EndsWith('/') == true)
        {
            return ServeAsync(http, "index.html");
        }

        http.Response.Redirect(http.Request.PathBase + http.Request.Path + "/");
        return Task.CompletedTask;
    }

    public static async Task ServeAsync(HttpContext http, string name)
    {
        if (!s_files.Value.TryGetValue(name, out var file))
        {
            http.Response.StatusCode = 404;
            return;
        }

        var headers = http.Response.Headers;
        headers.ETag = file.ETag;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";
        if (http.Request.Headers.IfNoneMatch.ToString() == file.ETag)
        {
            http.Response.StatusCode = 304;
            return;
        }

        http.Response.ContentType = file.ContentType;
        http.Response.ContentLength = file.Bytes.Length;
        await http.Response.Body.WriteAsync(file.Bytes, http.RequestAborted).ConfigureAwait(false);
    }

    private static FrozenDictionary<string, (byte[], string, string)> Load()
    {
        var assembly = typeof(DashboardFiles).Assembly;
        var types = new FileExtensionContentTypeProvider();
        var files = new Dictionary<string, (byte[], string, string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var name = resource[ResourcePrefix.Length..];
            var type = types.TryGetContentType(name, out var t) ? t : "application/octet-stream";
            if (type.StartsWith("text/", StringComparison.Ordinal) || type.EndsWith("javascript", StringComparison.Ordinal))
            {
                type += "; charset=utf-8";
            }

            files[name] = (bytes, type, "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"");
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
