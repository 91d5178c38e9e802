#!/usr/bin/env bash
# Once per machine, idempotently, what building and running ClinicBooking's images needs where no public
# container registry is reachable (as on the project's build machines):
#  - Docker's engine from Debian's packages (docker.io), started without a network stack of its own
#    (containers share the host's network), and docker-compose;
#  - a registry on 127.0.0.1:5000: the SDK's container publishing pulls its base image from a registry;
#  - base images built from Debian's packages, pushed there:
#      clinicbooking/base:bookworm    Debian 12 minbase, CA certificates, ICU, OpenSSL, tzdata
#      clinicbooking/aspnet:10.0      + this SDK's ASP.NET Core runtime, user app (1654)
#      clinicbooking/postgres:15, clinicbooking/redis:7, clinicbooking/rabbitmq:3.10
# Prints how long each step took. Where mcr.microsoft.com and Docker Hub are reachable none of the base
# images is needed (README, "Deploy").
set -euo pipefail
cd "$(dirname "$0")/../.."

registry=127.0.0.1:5000
state=/var/lib/clinicbooking-containers
mkdir -p "$state"
step_start=$(date +%s)
step() { local now; now=$(date +%s); printf '  %-58s %4ss\n' "$1" $((now - step_start)); step_start=$now; }
[ "$(id -u)" = 0 ] || { echo "scripts/containers/setup.sh installs packages and starts Docker's engine: run it as root." >&2; exit 1; }

packages=(docker.io docker-registry docker-compose mmdebstrap)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
step "packages (${packages[*]})"

# The engine: no bridge and no iptables (this sandbox has neither); containers use --network host.
docker=/usr/bin/docker   # Debian's client, of the engine's version
# A pid file whose process is gone, or is now some other program, is left over from an engine that did not
# stop (a machine restored from a snapshot keeps /run here, which is no tmpfs). dockerd refuses to start
# beside it, and would try to reuse the containerd it names: both go.
drop_stale_pidfile() {
  local pid
  [ -f "$1" ] || return 0
  pid=$(cat "$1" 2>/dev/null || true)
  if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]; then return 0; fi
  rm -f "$1"
}
if ! $docker info >/dev/null 2>&1 && ! pgrep -x dockerd >/dev/null; then
  drop_stale_pidfile /run/clinicbooking-dockerd.pid dockerd
  drop_stale_pidfile /run/docker/containerd/containerd.pid containerd
  nohup dockerd --iptables=false --ip-masq=false --bridge=none --storage-driver=overlay2 \
    --pidfile /run/clinicbooking-dockerd.pid >"$state/dockerd.log" 2>&1 &
fi
# Started above or already starting: wait until it answers.
if ! $docker info >/dev/null 2>&1; then
  for _ in $(seq 1 60); do $docker info >/dev/null 2>&1 && break; sleep 1; done
  $docker info >/dev/null 2>&1 || { echo "Docker's engine did not start; see $state/dockerd.log" >&2; tail -20 "$state/dockerd.log" >&2; exit 1; }
fi
step "Docker's engine ($($docker version --format '{{.Server.Version}}'))"

if ! curl -fs "http://$registry/v2/" >/dev/null 2>&1; then
  mkdir -p "$state/registry"
  cat >"$state/registry.yml" <<YAML
version: 0.1
storage:
  filesystem:
    rootdirectory: $state/registry
http:
  addr: $registry
YAML
  nohup docker-registry serve "$state/registry.yml" >"$state/registry.log" 2>&1 &
  for _ in $(seq 1 30); do curl -fs "http://$registry/v2/" >/dev/null 2>&1 && break; sleep 1; done
fi
step "registry at $registry"

present() { curl -fs "http://$registry/v2/$1/manifests/$2" -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' >/dev/null 2>&1; }

include=ca-certificates,libicu72,libssl3,tzdata,libstdc++6,zlib1g
# Each image is rebuilt when what it is made of changes (its packages, Dockerfile, script or base): a hash of
# that is a tag of its own.
base_hash=$(echo "$include" | sha256sum | cut -c1-12)
hash=$base_hash
if ! present clinicbooking/base "bookworm-$hash"; then
  mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || echo http://deb.debian.org/debian)
  mmdebstrap --quiet --variant=minbase --include="$include" bookworm "$state/base.tar" "$mirror"
  $docker import "$state/base.tar" "$registry/clinicbooking/base:bookworm" >/dev/null
  $docker tag "$registry/clinicbooking/base:bookworm" "$registry/clinicbooking/base:bookworm-$hash"
  $docker push -q "$registry/clinicbooking/base:bookworm" >/dev/null
  $docker push -q "$registry/clinicbooking/base:bookworm-$hash" >/dev/null
  rm -f "$state/base.tar"
fi
step "clinicbooking/base:bookworm (Debian 12 minbase)"

runtime=$(ls /usr/share/dotnet/shared/Microsoft.AspNetCore.App | sort -V | tail -1)
hash=$( (cat deploy/images/aspnet/Dockerfile; echo "$base_hash") | sha256sum | cut -c1-12)
if ! present clinicbooking/aspnet "$runtime-$hash"; then
  context=$(mktemp -d)
  mkdir -p "$context/dotnet"
  # The runtime only: the host, the shared frameworks; not the SDK, its packs or templates.
  cp -a /usr/share/dotnet/dotnet /usr/share/dotnet/host /usr/share/dotnet/shared /usr/share/dotnet/LICENSE.txt "$context/dotnet/"
  cp deploy/images/aspnet/Dockerfile "$context/"
  $docker build -q --network host -t "$registry/clinicbooking/aspnet:$runtime" "$context" >/dev/null
  $docker tag "$registry/clinicbooking/aspnet:$runtime" "$registry/clinicbooking/aspnet:10.0"
  $docker tag "$registry/clinicbooking/aspnet:$runtime" "$registry/clinicbooking/aspnet:$runtime-$hash"
  $docker push -q "$registry/clinicbooking/aspnet:$runtime-$hash" >/dev/null
  $docker push -q "$registry/clinicbooking/aspnet:$runtime" >/dev/null
  $docker push -q "$registry/clinicbooking/aspnet:10.0" >/dev/null
  rm -rf "$context"
fi
step "clinicbooking/aspnet:10.0 (ASP.NET Core $runtime, user 1654)"

for image in postgres:15 redis:7 rabbitmq:3.10; do
  name=${image%%:*}
  hash=$( (cat "deploy/images/$name/Dockerfile" "AppHost/Infrastructure/scripts/$name"*.sh; echo "$base_hash") | sha256sum | cut -c1-12)
  if ! present "clinicbooking/$name" "${image#*:}-$hash"; then
    $docker build -q --network host -t "$registry/clinicbooking/$image" -t "$registry/clinicbooking/$image-$hash" \
      -f "deploy/images/$name/Dockerfile" AppHost/Infrastructure/scripts >/dev/null
    $docker push -q "$registry/clinicbooking/$image" >/dev/null
    $docker push -q "$registry/clinicbooking/$image-$hash" >/dev/null
  fi
  step "clinicbooking/$image (Debian's package)"
done
