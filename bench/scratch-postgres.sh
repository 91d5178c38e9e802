#!/usr/bin/env bash
# Sourced by the benches that need only a database: starts a scratch PostgreSQL 15 on a free loopback port,
# sets $port, and stops and removes it when the script exits.
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
dir=$(mktemp -d /tmp/clinicbooking-bench-XXXXXX)
chmod 755 "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run=()
if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; run=(setpriv --reuid=postgres --regid=postgres --init-groups); fi
"${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
"${run[@]}" "$bin/pg_ctl" -D "$dir/data" -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=" -l "$dir/log" -w start >/dev/null
trap '"${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null; rm -rf "$dir"' EXIT
