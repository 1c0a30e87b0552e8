using System.Security.Cryptography;
using System.Text;

namespace CompatAI.Tests.Embeddings;

/// <summary>
/// The emulator's documented vector rule (src/CompatAI.Emulator/README.md), written out independently here: component k
/// is byte k mod 32 of SHA-256(model + "\n" + input + "\n" + k/32), mapped to (b - 128) / 128.
/// </summary>
internal static class EmulatorVectors
{
    public static float[] For(string model, string input, int dimensions)
    {
        var vector = new float[dimensions];
        byte[] hash = [];
        for (var k = 0; k < dimensions; k++)
        {
            if (k % 32 == 0)
            {
                hash = SHA256.HashData(Encoding.UTF8.GetBytes(model + "\n" + input + "\n" + (k / 32)));
            }

            vector[k] = (hash[k % 32] - 128) / 128f;
        }

        return vector;
    }
}
