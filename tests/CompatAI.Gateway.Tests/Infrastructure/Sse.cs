using System.Net.ServerSentEvents;

namespace CompatAI.Gateway.Tests.Infrastructure;

/// <summary>Reads an SSE response with .NET's own parser.</summary>
internal static class Sse
{
    /// <summary>Reads every event of a stream that must end cleanly.</summary>
    public static async Task<List<SseItem<string>>> ReadAllAsync(HttpResponseMessage response)
    {
        var (items, cut) = await ReadUntilEndAsync(response);
        Assert.Null(cut);
        return items;
    }

    /// <summary>Reads every event until the body ends; also returns the exception when the connection was cut instead of closed cleanly.</summary>
    public static async Task<(List<SseItem<string>> Items, Exception? Cut)> ReadUntilEndAsync(HttpResponseMessage response)
    {
        var items = new List<SseItem<string>>();
        await using var stream = await response.Content.ReadAsStreamAsync();
        try
        {
            await foreach (var item in SseParser.Create(stream).EnumerateAsync())
            {
                items.Add(item);
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return (items, ex);
        }

        return (items, null);
    }
}
