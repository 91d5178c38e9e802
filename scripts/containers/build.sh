#!/usr/bin/env bash
# Builds an image of every service with the SDK's own container publishing (no Dockerfile): each web
# project of the solution that names a ContainerRepository, so a service added later gets its image
# without changes here. Images run as the base image's non-root user, listen on ASPNETCORE_HTTP_PORTS, are
# configured by environment variables only, and carry the source revision as a label
# (org.opencontainers.image.revision).
#
#   BASE_IMAGE  the ASP.NET Core base: mcr.microsoft.com/dotnet/aspnet:10.0 where it is reachable,
#               otherwise this machine's own (scripts/containers/setup.sh builds it)
#   REGISTRY    where the images go (default 127.0.0.1:5000, the loopback registry of setup.sh)
#   TAG         the images' tag besides "latest" (default: the commit)
set -euo pipefail
cd "$(dirname "$0")/../.."

registry=${REGISTRY:-127.0.0.1:5000}
tag=${TAG:-$(git rev-parse --short=12 HEAD 2>/dev/null || echo dev)}
if [ -z "${BASE_IMAGE:-}" ]; then
  if curl -fs --max-time 5 -o /dev/null https://mcr.microsoft.com/v2/ 2>/dev/null; then
    BASE_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0
  else
    BASE_IMAGE=127.0.0.1:5000/clinicbooking/aspnet:10.0
  fi
fi
export DOTNET_CONTAINER_INSECURE_REGISTRIES=127.0.0.1:5000

start=$(date +%s)
projects=$(grep -l '<ContainerRepository>' Services/*/*.csproj Gateway/*.csproj WebApp/*.csproj | sort)
for project in $projects; do
  repository=$(sed -n 's:.*<ContainerRepository>\(.*\)</ContainerRepository>.*:\1:p' "$project")
  t0=$(date +%s)
  dotnet publish "$project" -c Release -nologo -v quiet -clp:ErrorsOnly -t:PublishContainer \
    -p:ContainerBaseImage="$BASE_IMAGE" -p:ContainerRegistry="$registry" \
    -p:ContainerImageTags="\"$tag;latest\"" \
    -p:PublishRepositoryUrl=true >/dev/null  # labels: org.opencontainers.image.revision (and .source, from git's origin)
  printf '  %-40s %s/%s:%s  %3ss\n' "$(basename "$project" .csproj)" "$registry" "$repository" "$tag" $(( $(date +%s) - t0 ))
done
echo "Built the service images on $BASE_IMAGE in $(( $(date +%s) - start )) s."
