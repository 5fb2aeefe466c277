using System.Text.Encodings.Web;
using System.Text.Json;

namespace ImageOrleans.Silo.Api;

/// <summary>How the gateway writes JSON: readable quotes and ampersands, as OpenAI's own answers have them.</summary>
public static class JsonOutput
{
    // Answers are application/json, never embedded in HTML, so HTML-sensitive characters need no escaping.
    public static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = Encoder };
}
