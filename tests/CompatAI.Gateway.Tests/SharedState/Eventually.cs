namespace CompatAI.Gateway.Tests.SharedState;

/// <summary>Waits for something another replica (or Redis's return) makes true in the background; fails with what was last seen.</summary>
internal static class Eventually
{
    public static async Task<T> HoldsAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{what} did not happen within {seconds} s; last seen: {value}");
            }

            await Task.Delay(100);
        }
    }
}
