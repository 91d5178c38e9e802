#!/usr/bin/env bash
# Slot generation vs an equivalent raw INSERT ... SELECT, on a scratch PostgreSQL 15 started for the run
# (loopback only, removed afterwards). Prints each round and the median ratio (target: <= 2.00).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
dotnet build bench/SlotGenerationBench -c Release -nologo -v quiet -clp:ErrorsOnly

. bench/scratch-postgres.sh

dotnet bench/SlotGenerationBench/bin/Release/net10.0/SlotGenerationBench.dll \
  "Host=127.0.0.1;Port=$port;Username=postgres;Database=bench" "${ROUNDS:-3}"
