#!/usr/bin/env bash
# Writes the deployment description from the AppHost: Aspire's manifest of it (containers mode) to
# deploy/aspire-manifest.json (every resource, its image or project, its settings and the secrets it needs
# as inputs, never their values), and deploy/compose.yaml for as many cells as the AppHost runs
# (Clinics:ShardCount). DeploymentDescriptionTests fail when either differs from what this writes, or when
# compose.yaml leaves out a resource or a setting of the manifest: run this after changing the AppHost.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build AppHost/AppHost.csproj -nologo -v quiet -clp:ErrorsOnly
dotnet run --project AppHost --no-build -- --publisher manifest --output-path "$PWD/deploy/aspire-manifest.json" \
  --Infrastructure:Mode=containers >/dev/null
scripts/containers/compose.sh > deploy/compose.yaml
echo "deploy/aspire-manifest.json and deploy/compose.yaml written"
