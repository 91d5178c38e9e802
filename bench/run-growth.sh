#!/usr/bin/env bash
# What anyone can ask of a shard as it grows (issue 26): seeds a scratch PostgreSQL 15 (loopback only, removed
# afterwards) to each size in turn (SIZES, default 100000,1000000 slots) and prints p50/p99 of the cell's
# availability reads and a 62-day generation, alone and with 8 callers. SECONDS_PER_RUN (default 10) per line.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
dotnet build bench/GrowthBench -c Release -nologo -v quiet -clp:ErrorsOnly

. bench/scratch-postgres.sh

dotnet bench/GrowthBench/bin/Release/net10.0/GrowthBench.dll \
  "Host=127.0.0.1;Port=$port;Username=postgres;Database=bench;Maximum Pool Size=32" "${SIZES:-100000,1000000}" "${SECONDS_PER_RUN:-10}"
