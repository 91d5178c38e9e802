#!/usr/bin/env bash
# Prints the newest link to PATH in the mail ADDRESS got, read from the local inbox (smtp4dev's API at $INBOX,
# http://localhost:5095 unless set, the AppHost's), waiting up to 30 s for it to arrive: what a person does by
# opening their mail and following its link. README's walk uses it for the account mails.
# Usage: scripts/inbox-link.sh ADDRESS PATH, e.g. scripts/inbox-link.sh ann@example.com /account/verify-email
set -euo pipefail
inbox=${INBOX:-http://localhost:5095}; address=$1; path=$2
for _ in $(seq 150); do
  for id in $(curl -fs "$inbox/api/messages?pageSize=5000" | jq -r --arg a "$address" \
      '.results | sort_by(.receivedDate) | reverse | .[] | select(any(.to[]; ascii_downcase == ($a | ascii_downcase))) | .id'); do
    link=$(curl -fs "$inbox/api/messages/$id/plaintext" | grep -o "https\?://[^ ]*$path?[^ ]*" | head -1 || true)
    if [ -n "$link" ]; then echo "$link"; exit 0; fi
  done
  sleep 0.2
done
echo "no mail to $address with a link to $path in $inbox" >&2
exit 1
