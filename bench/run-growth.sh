#!/usr/bin/env bash
# What anyone can ask of a shard as it grows (issue 26): seeds a scratch PostgreSQL 15 (loopback only, removed
# afterwards) to each size in turn (SIZES, default 100000,1000000 slots) and prints p50/p99 of the cell's
# availability reads and a 62-day generation, alone and with 8 callers. SECONDS_PER_RUN (default 10) per line.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
dotnet build bench/GrowthBench -c Release -nologo -v quiet -clp:ErrorsOnly

bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
dir=$(mktemp -d /tmp/clinicbooking-bench-XXXXXX)
chmod 755 "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run=()
if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; run=(setpriv --reuid=postgres --regid=postgres --init-groups); fi
"${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
"${run[@]}" "$bin/pg_ctl" -D "$dir/data" -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=" \
  -l "$dir/log" -w start >/dev/null
trap '"${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null; rm -rf "$dir"' EXIT

dotnet bench/GrowthBench/bin/Release/net10.0/GrowthBench.dll \
  "Host=127.0.0.1;Port=$port;Username=postgres;Database=bench;Maximum Pool Size=32" "${SIZES:-100000,1000000}" "${SECONDS_PER_RUN:-10}"
