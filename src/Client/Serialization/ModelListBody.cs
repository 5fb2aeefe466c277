namespace ImageOrleans.Client.Serialization;

/// <summary>The body of <c>GET /models</c>.</summary>
internal sealed class ModelListBody
{
    public List<ModelBody>? Data { get; set; }
}
