#!/usr/bin/env bash
# Writes Aspire's deployment manifest of the AppHost (containers mode) to deploy/aspire-manifest.json: every
# resource, its image or project, its settings and the secrets it needs as inputs (never their values).
# DeploymentDescriptionTests fail when the committed one differs from what the AppHost publishes, and when
# deploy/compose.yaml leaves out a resource or a setting of it: run this after changing the AppHost, then
# bring compose.yaml along.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build AppHost/AppHost.csproj -nologo -v quiet -clp:ErrorsOnly
dotnet run --project AppHost --no-build -- --publisher manifest --output-path "$PWD/deploy/aspire-manifest.json" \
  --Infrastructure:Mode=containers >/dev/null
echo "deploy/aspire-manifest.json written"
