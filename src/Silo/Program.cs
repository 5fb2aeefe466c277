using ImageOrleans.Silo.Hosting;
using ImageOrleans.Silo.Persistence;

if (SchemaCommand.IsInvoked(args))
{
    return await SchemaCommand.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(ImageOrleansArgs.WithDefaults(args));
builder.AddImageOrleansSilo();

var app = builder.Build();
app.UseImageOrleansFrontDoor();
app.MapImageOrleans();
await app.RunAsync();
return 0;

/// <summary>The gateway's entry point, public so tests can host it.</summary>
public partial class Program;
