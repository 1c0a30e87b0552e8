using CompatAI.Gateway.Hosting;

var builder = WebApplication.CreateBuilder(args);
GatewayHostDefaults.ApplyListenAddress(builder);
builder.Services.AddCompatGateway(builder.Configuration);
builder.Services.AddCompatGatewayManagement(builder.Configuration);

var app = builder.Build();
app.UseRateLimiter();
app.MapCompatGateway();
app.MapCompatGatewayManagement();
app.Run();
