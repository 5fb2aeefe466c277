namespace ImageOrleans.Client.Cli;

/// <summary>What the <c>imageorleans</c> process reports to its caller.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;

    // The batch commands' codes, as scripts that run batches expect them.
    public const int BatchUsage = 1;
    public const int BatchSomeFailed = 2;
    public const int BatchFailed = 3;

    // The shell convention for "stopped by SIGINT", so scripts can tell Ctrl+C from a failure.
    public const int Canceled = 130;
}
