using CompatAI.Gateway.Hosting;
using CompatAI.Gateway.Management;

var builder = WebApplication.CreateBuilder(args);
GatewayHostDefaults.ApplyListenAddress(builder);
builder.Services.AddCompatGateway(builder.Configuration);
var management = GatewayManagementOptions.IsEnabled(builder.Configuration);
if (management)
{
    builder.Services.AddCompatGatewayManagement(builder.Configuration);
}

var app = builder.Build();
app.UseRateLimiter();
app.MapCompatGateway();
if (management)
{
    app.MapCompatGatewayManagement();
}

app.Run();
