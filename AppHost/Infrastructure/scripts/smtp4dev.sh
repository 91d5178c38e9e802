#!/usr/bin/env bash
# Runs smtp4dev in the foreground for local runs and tests: a real SMTP server that keeps every mail it
# receives (in memory) and shows them in a web inbox. It is the repository's own dotnet tool
# (Rnwood.Smtp4dev in dotnet-tools.json), so it runs wherever the SDK does; production names its own SMTP relay.
# Environment (set by the AppHost): SMTP_PORT, INBOX_PORT (the web inbox and its API, /api/messages),
# IMAP_PORT and POP3_PORT (its mailbox protocols get ports of their own, so two runs never collide).
set -euo pipefail
cd "$(dirname "$0")/../../.."
dotnet tool restore >/dev/null
exec setpriv --pdeathsig TERM dotnet tool run smtp4dev -- --smtpport="$SMTP_PORT" --urls="http://127.0.0.1:$INBOX_PORT" \
  --imapport="$IMAP_PORT" --pop3port="$POP3_PORT" --bindaddress=127.0.0.1 --db= --nousersettings --hostname=localhost \
  --messagestokeep=10000
