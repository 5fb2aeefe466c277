using ImageOrleans.Client;

using var interrupted = new CancellationTokenSource();

// Ctrl+C cancels the request in flight and exits 130 instead of killing the process mid-write.
Console.CancelKeyPress += (_, eventArgs) =>
{
    eventArgs.Cancel = true;
    interrupted.Cancel();
};

return await CliApp.RunAsync(args, Console.Out, Console.Error, cancellationToken: interrupted.Token);
