namespace CompatAI.Emulator;

/// <summary>Where a stream chunk sits, so personalities can decorate first/last chunks differently.</summary>
internal enum ChunkRole
{
    First,
    Middle,
    Finish,
    Usage,
}
