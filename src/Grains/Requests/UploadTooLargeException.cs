namespace ImageOrleans.Grains.Requests;

/// <summary>An uploaded part passed its size limit while it was being stored.</summary>
public sealed class UploadTooLargeException(string message) : Exception(message);
