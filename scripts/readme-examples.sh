#!/usr/bin/env bash
# Runs the API examples of README.md ("## Calling the API") top to bottom against a freshly started system,
# exactly as written, and checks each answer against its comment: a comment that starts with a status
# expects that status (otherwise any 2xx), and every `"key": value` the comment shows must be in the answer.
# With --gateway URL it uses a system that is already running (it must be fresh for the ids to match).
set -euo pipefail
cd "$(dirname "$0")/.."
GW=http://127.0.0.1:5080

if [ "${1:-}" = "--gateway" ]; then
  GW=$2
else
  scripts/setup.sh >/dev/null
  dotnet build AppHost/AppHost.csproj -nologo -v quiet -clp:ErrorsOnly >/dev/null
  . bench/start-app.sh
  # The examples read the administrator's password from the data directory of the system they run against.
  export ADMIN_PASSWORD=$(cat "$data/secrets/identity-admin")
fi

# When the walk fails, what the system looked like then (the throw-away data directory goes with the run).
diagnose() {
  echo "--- at the failure: the gateway's clinic list, the cells' processes, the AppHost's last lines"
  curl -s "$GW/clinics?limit=1"; echo
  pgrep -af "ClinicService" | cut -c1-160 || true
  [ -n "${data:-}" ] && tail -15 "$data/apphost.log"
  return 1
}

GW=$GW python3 - <<'PY' || diagnose
import json, os, re, subprocess, sys, time

readme = open("README.md", encoding="utf-8").read()
section = readme[readme.index("## Calling the API"):]
section = section[:section.index("\n## ", 1)]
blocks = re.findall(r"```bash\n(.*?)```", section, re.S)

# Commands with their expectation: a trailing comment, or a comment line right after that starts with a status.
# Assignments (NAME=..., such as a token from /connect/token) run in order too; later commands see their values.
commands = []
for block in blocks:
    lines = block.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if re.match(r"[A-Z_]+=", line):
            command = line
            while command.rstrip().endswith("\\"):
                i += 1
                command = command.rstrip()[:-1] + " " + lines[i].strip()
            commands.append((command.strip(), None))
        elif line.startswith("curl "):
            command = line
            while command.rstrip().endswith("\\"):
                i += 1
                command = command.rstrip()[:-1] + " " + lines[i].strip()
            code, _, comment = (re.split(r"\s+#\s", command, maxsplit=1) + ["", ""])[0], None, \
                (re.split(r"\s+#\s", command, maxsplit=1) + [""])[1]
            if not comment and i + 1 < len(lines) and re.match(r"#\s*\d{3}\b", lines[i + 1]):
                comment = lines[i + 1].lstrip("# ")
            commands.append((code.strip(), comment.strip()))
        i += 1

failures = 0
variables = {"GW": os.environ["GW"]}
for code, comment in commands:
    if comment is None:
        name = code.split("=", 1)[0]
        if name != "GW":  # the gateway is the one this script was given
            out = subprocess.run(["bash", "-c", code + f'; printf %s "${name}"'], env={**os.environ, **variables},
                                 capture_output=True, text=True)
            variables[name] = out.stdout
            ok = out.returncode == 0 and out.stdout not in ("", "null")
            print(("ok   " if ok else "FAIL ") + code[:110])
            failures += 0 if ok else 1
        continue
    status_match = re.match(r"(\d{3})\b", comment)
    fragments = re.findall(r'"(\w+)": ("[^"]*"|-?\d+|true|false|null)', comment)
    # A read may be repeated for up to 10 s until it matches (the customers' booking list trails the cells by
    # a message), and so may a write with an Idempotency-Key (a booking still pending answers 202, and its
    # repeat answers the same booking); any other write runs once, as a reader of the README would run it.
    writes = re.search(r"\s-X\s*(POST|PUT|PATCH|DELETE)\b|\s(-d|--data[\w-]*|--json)\s", code) is not None
    repeatable = not writes or "Idempotency-Key" in code
    deadline = time.time() + (10 if repeatable else 0)
    while True:
        out = subprocess.run(["bash", "-c", code + " -o /tmp/readme-answer -w '%{http_code}'"],
                             env={**os.environ, **variables}, capture_output=True, text=True)
        tail = out.stdout.strip()[-3:]
        status = int(tail) if tail.isdigit() else 0
        body = open("/tmp/readme-answer", encoding="utf-8", errors="replace").read()
        compact = re.sub(r'":\s+', '":', body)
        problems = []
        if status_match and status != int(status_match.group(1)):
            problems.append(f"status {status}, expected {status_match.group(1)}")
        if not status_match and not 200 <= status < 300:
            problems.append(f"status {status}, expected 2xx")
        problems += [f'no "{k}": {v} in the answer' for k, v in fragments if f'"{k}":{v}' not in compact]
        if not problems or time.time() > deadline:
            break
        time.sleep(0.5)
    print(("ok   " if not problems else "FAIL ") + code[:110])
    if problems:
        failures += 1
        print("     " + "; ".join(problems) + "\n     answer: " + body[:400])
print(f"{len(commands) - failures} of {len(commands)} README examples (assignments included) did what they say")
sys.exit(1 if failures else 0)
PY
