# The gateway's container image: one silo per container (HTTP 8080, gRPC 8081, silo 11111, gateway 30000).
#
#   docker build -t imageorleans:dev .
#
# The runtime stage runs as the image's non-root 'app' user and writes nowhere but /data (images,
# generated keys) and the temporary folder, so it runs with a read-only root filesystem when /data
# and /tmp are mounted writable (k8s/base does). No HEALTHCHECK: Kubernetes probes /healthz and /readyz.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source

# Project files first, so the restore layer is reused until a dependency changes. global.json is left
# out on purpose: the SDK is the one this stage's base image carries.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Grains/ImageOrleans.Grains.csproj src/Grains/
COPY src/Simulator/ImageOrleans.Simulator.csproj src/Simulator/
COPY src/Silo/ImageOrleans.Silo.csproj src/Silo/
RUN dotnet restore src/Silo/ImageOrleans.Silo.csproj

COPY src/ src/
COPY proto/ proto/
RUN dotnet publish src/Silo/ImageOrleans.Silo.csproj -c Release --no-restore -o /app/publish

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app

ENV ASPNETCORE_HTTP_PORTS=8080 \
    ImageOrleans__Grpc__Url=http://+:8081 \
    DOTNET_NOLOGO=1 \
    ImageOrleans__DataPath=/data

# The program belongs to root and cannot be changed by the process; only /data belongs to it.
COPY --from=build /app/publish/ ./
RUN mkdir -p /data && chown "$APP_UID:$APP_UID" /data
USER $APP_UID

EXPOSE 8080 8081 11111 30000
ENTRYPOINT ["dotnet", "ImageOrleans.Silo.dll"]
