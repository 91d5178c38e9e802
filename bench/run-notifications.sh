#!/usr/bin/env bash
# A herd of reminders due at the same minute (10,000 unless COUNT is set), sent by two dispatchers through a
# provider limited to LIMIT mails a second (100 unless set), on a scratch PostgreSQL 15 started for the run
# (loopback only, removed afterwards). Prints the time to send all, the peak rate against the limit, and how
# many went before their window, after their due time, or twice (each must be 0); exits 1 if any target failed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
dotnet build bench/NotificationBench -c Release -nologo -v quiet -clp:ErrorsOnly

. bench/scratch-postgres.sh

dotnet bench/NotificationBench/bin/Release/net10.0/NotificationBench.dll \
  "Host=127.0.0.1;Port=$port;Username=postgres;Database=bench" "${COUNT:-10000}" "${LIMIT:-100}"
