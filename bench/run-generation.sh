#!/usr/bin/env bash
# Slot generation vs an equivalent raw INSERT ... SELECT, on a scratch PostgreSQL 15 started for the run
# (loopback only, removed afterwards). Prints each round and the median ratio (target: <= 2.00).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
dotnet build bench/SlotGenerationBench -c Release -nologo -v quiet -clp:ErrorsOnly

bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
dir=$(mktemp -d /tmp/clinicbooking-bench-XXXXXX)
chmod 755 "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run=()
if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; run=(setpriv --reuid=postgres --regid=postgres --init-groups); fi
"${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
"${run[@]}" "$bin/pg_ctl" -D "$dir/data" -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=" -l "$dir/log" -w start >/dev/null
trap '"${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null; rm -rf "$dir"' EXIT

dotnet bench/SlotGenerationBench/bin/Release/net10.0/SlotGenerationBench.dll \
  "Host=127.0.0.1;Port=$port;Username=postgres;Database=bench" "${ROUNDS:-3}"
