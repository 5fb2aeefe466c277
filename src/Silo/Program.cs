using ImageOrleans.Silo.Hosting;

var builder = WebApplication.CreateBuilder(ImageOrleansArgs.WithDefaults(args));
builder.AddImageOrleansSilo();

var app = builder.Build();
app.UseImageOrleansFrontDoor();
app.MapImageOrleans();
app.Run();

/// <summary>The gateway's entry point, public so tests can host it.</summary>
public partial class Program;
