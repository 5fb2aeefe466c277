using ImageOrleans.Simulator;

// Content root at the binary so simulator.json is found whatever directory `dotnet run` starts in. The
// file is not called appsettings.json because it is copied beside every project that references this one.
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddJsonFile("simulator.json", optional: false, reloadOnChange: false);
builder.Services.AddImageSimulator(builder.Configuration);

var app = builder.Build();
app.MapImageSimulator();
await app.RunAsync();

/// <summary>The standalone simulator; internal so hosts that reference this project keep their own Program.</summary>
internal sealed partial class Program;
