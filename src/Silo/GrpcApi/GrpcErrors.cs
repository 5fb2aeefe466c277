using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using ImageOrleans.Grains.Errors;

namespace ImageOrleans.Silo.GrpcApi;

/// <summary>
/// The gateway's errors as gRPC statuses with <c>google.rpc.Status</c> details: the same vocabulary as the
/// HTTP answers, one mapping from an OpenAI-shaped error to a status code.
/// </summary>
public static class GrpcErrors
{
    public const string Domain = "imageorleans";

    /// <summary>The gRPC code for an HTTP status, as the README's table gives it.</summary>
    public static StatusCode CodeFor(int status) => status switch
    {
        400 or 409 or 413 or 415 => StatusCode.InvalidArgument,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.NotFound,
        429 => StatusCode.ResourceExhausted,
        499 => StatusCode.Cancelled,
        502 or 503 => StatusCode.Unavailable,
        504 => StatusCode.DeadlineExceeded,
        _ => StatusCode.Internal,
    };

    public static RpcException Exception(GatewayError error)
    {
        var code = CodeFor(error.Status);
        var status = new Google.Rpc.Status { Code = (int)code, Message = error.Message };
        status.Details.Add(Any.Pack(new ErrorInfo
        {
            Reason = error.Code ?? error.Type,
            Domain = Domain,
            Metadata = { ["type"] = error.Type, ["http_status"] = error.Status.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        }));
        if (error.Param is { } param && code == StatusCode.InvalidArgument)
        {
            status.Details.Add(Any.Pack(new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = param, Description = error.Message } } }));
        }

        if (error.RetryAfter is { } retryAfter)
        {
            status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) }));
        }

        if (error.Status == 429)
        {
            status.Details.Add(Any.Pack(new QuotaFailure
            {
                Violations = { new QuotaFailure.Types.Violation { Subject = "client_key", Description = error.Message } },
            }));
        }

        return status.ToRpcException();
    }
}
