#!/usr/bin/env bash
# Runs every test: unit tests, component tests (a scratch PostgreSQL, in-memory MassTransit), and integration
# tests that start the real AppHost (real PostgreSQL, Redis and RabbitMQ processes) and call the API through
# the gateway. Prints "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."

# --with-browser: the web app's end-to-end tests drive Debian's Chromium.
scripts/setup.sh --with-browser || exit 1
# The integration tests run one cell with its clock skewed (libfaketime) to show the database's clock rules.
if ! ls /usr/lib/*/faketime/libfaketimeMT.so.1 >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libfaketime >/dev/null \
    || { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libfaketime >/dev/null; } \
    || exit 1
fi
# The OpenAPI linters (Spectral, Redocly) that OpenApiTests runs on the gateway's document, at pinned versions.
(cd scripts/openapi && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || exit 1
dotnet build ClinicBooking.sln -nologo -v quiet -clp:ErrorsOnly || exit 1

results=TestResults
rm -rf "$results" && mkdir -p "$results"
dotnet test --solution ClinicBooking.sln --no-build --report-xunit-trx --results-directory "$results" "$@" 2>&1 \
  | tee "$results/dotnet-test.log"
status=${PIPESTATUS[0]}

# Totals from the run's own summary over every test project. (Not from the TRX reports: two projects that
# finish in the same microsecond write the same report name, and one report replaces the other.)
read -r passed failed skipped < <(awk '
    /^  succeeded: / { p = $2 } /^  failed: / { f = $2 } /^  skipped: / { s = $2 }
    END { printf "%d %d %d\n", p, f, s }' "$results/dotnet-test.log")
# A test host that crashed may leave no summary; never let that read as green.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi

# The failed tests' names and first message lines, last, where a CI log's tail shows them.
for report in "$results"/*.trx; do
  [ -f "$report" ] || continue
  tr -d '\r' <"$report" | awk 'BEGIN { RS = "<UnitTestResult " }
    /^[^>]*outcome="Failed"/ {
      match($0, /testName="[^"]*"/); name = substr($0, RSTART + 10, RLENGTH - 11)
      message = $0; sub(/.*<Message>/, "", message); sub(/\n.*/, "", message); sub(/<\/Message>.*/, "", message)
      # Where it failed: up to three frames of the tests, innermost first (a timeout names no step).
      where = ""; rest = $0
      for (n = 0; n < 3 && match(rest, /tests\/[^ \n]*:line [0-9]+/); n++) {
        frame = substr(rest, RSTART, RLENGTH); sub(/.*\//, "", frame); sub(/:line /, ":", frame)
        where = where (n ? " < " : " at ") frame; rest = substr(rest, RSTART + RLENGTH) }
      print "FAILED " name ": " substr(message, 1, 300) where }'
done | sed 's/&quot;/"/g; s/&lt;/</g; s/&gt;/>/g; s/&#xA;/ /g; s/&amp;/\&/g' | cut -c1-500

# README's API examples, run top to bottom on a fresh system as written: one more test.
if scripts/readme-examples.sh >"$results/readme-examples.log" 2>&1; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); status=1
  echo "README examples failed:"; grep -v '^ok' "$results/readme-examples.log" | tail -40
fi
# The system from images (deploy/compose.yaml): every image built, started, inspected and walked; one more test.
if scripts/containers/smoke.sh >"$results/containers.log" 2>&1; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); status=1
  echo "The system from images failed:"; grep -v '^ok' "$results/containers.log" | tail -40
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
