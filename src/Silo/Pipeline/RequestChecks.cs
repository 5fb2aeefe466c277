using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Models;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Silo.Auth;

namespace ImageOrleans.Silo.Pipeline;

/// <summary>
/// Everything a request must pass before it may cost anything, in order: which model it runs on (a
/// variation's default, aliases, retirements), the model's field rules, the blocked terms of its key,
/// and the rules for its input files. Both front doors reach it through <see cref="GenerationPipeline"/>.
/// </summary>
public sealed class RequestChecks(ImageRequestValidator validator, ModelResolver models, ModelCatalogue catalogue, PromptBlocklist blocklist)
{
    /// <summary>The request as it will run, with how its model was resolved; or the first rule it breaks.</summary>
    public (ValidatedImageRequest? Validated, ModelResolution? Resolution, GatewayError? Error) Check(
        GenerationCall call, IReadOnlySet<string> served, string defaultModel)
    {
        var input = call.Input;
        if (call.Operation == ImageOperation.Variation && input.Model is null)
        {
            // Variations have their own default: a served model that makes them (OpenAI's is dall-e-2).
            var variations = served.Order(StringComparer.Ordinal).FirstOrDefault(m => catalogue.Find(m)?.SupportsVariations == true);
            if (variations is null)
            {
                return (null, null, GatewayErrors.ModelNotFound("dall-e-2") with
                {
                    Message = "No account of this gateway's pool serves a model that supports image variations.",
                });
            }

            input = input with { Model = variations };
        }

        ModelResolution? resolution = null;
        if (input.Model?.Trim() is not "")
        {
            resolution = models.Resolve(input.Model?.Trim() ?? defaultModel, served, out var unresolved);
            if (resolution is null)
            {
                return (null, null, unresolved);
            }

            input = input with { Model = resolution.Model };
        }

        if (!validator.TryValidate(input, defaultModel, served, call.Operation, out var validated, out var invalid))
        {
            return (null, resolution, invalid);
        }

        // Before any upstream call and any charge: the key is not even asked for admission.
        if (blocklist.Check(validated!.Request.Prompt, call.Client.KeyId, call.Client.Tenant) is { } blocked)
        {
            return (null, resolution, blocked);
        }

        if (call.Operation != ImageOperation.Generate)
        {
            var model = validated.Request.Model;
            if (InputImageRules.Check(catalogue.Find(model), model, call.Operation, call.Images, call.Mask, input.InputFidelity) is { } badPart)
            {
                return (null, resolution, badPart);
            }

            validated = validated with
            {
                Request = validated.Request with { Operation = call.Operation, Images = call.Images, Mask = call.Mask, InputFidelity = input.InputFidelity },
            };
        }

        return (validated, resolution, null);
    }
}
