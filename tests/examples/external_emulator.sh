#!/usr/bin/env bash
# The seed's programs against an external gapi-emulator over TLS, with ordinary
# credential files (--endpoint, --ca-file, --token), as a user would point them at any
# Google. upcoming_events must print what the API's own events.list answers for
# timeMin=now, maxResults=10, singleEvents=true, orderBy=startTime.
#
#   tests/examples/external_emulator.sh EXAMPLES_DIR
set -euo pipefail
bin=$1
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

# The emulator stops by itself after 120 s whatever happens here.
"$bin/gapi-emulator" --tls --state-dir "$work" --calendar-fixture 2:40 --duration 120 > "$work/url" &
pid=$!
for _ in $(seq 200); do [ -s "$work/url" ] && break; sleep 0.05; done
url=$(head -n1 "$work/url")
[ -n "$url" ] || { echo "the emulator did not start" >&2; exit 1; }
flags=(--endpoint "$url" --ca-file "$work/ca.pem" --token "$work/token.json")

echo "== list_labels"
"$bin/list_labels" "${flags[@]}" | tee "$work/labels"
grep -qx INBOX "$work/labels"

echo "== send_mail with an attachment"
printf 'attached bytes\n' > "$work/notes.txt"
"$bin/send_mail" "${flags[@]}" --to "Γιώργος <user2@example.com>" --subject "Καλημέρα" --body "Hello" \
    --attach "$work/notes.txt" | tee "$work/sent"
grep -Eq '^Message Id: [0-9a-f]{16}$' "$work/sent"

echo "== create_draft"
"$bin/create_draft" "${flags[@]}" --to user2@example.com | tee "$work/draft"
grep -Eq '^Draft id: .+' "$work/draft"

echo "== upcoming_events against the API's own events.list"
# The program reads the clock somewhere between these two moments. Fixture events end on
# whole minutes, so at most one such instant lies between them and the answer is the
# API's answer for one of the two.
before=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
"$bin/upcoming_events" "${flags[@]}" > "$work/upcoming"
cat "$work/upcoming"
python3 - "$url" "$work" "$before" <<'PY'
import datetime, json, ssl, sys, urllib.parse, urllib.request
url, work, before = sys.argv[1], sys.argv[2], sys.argv[3]
token = json.load(open(f"{work}/token.json"))["token"]
now = datetime.datetime.now(datetime.timezone.utc)
after = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
context = ssl.create_default_context(cafile=f"{work}/ca.pem")

def printed_at(moment):
    query = urllib.parse.urlencode({"timeMin": moment, "maxResults": 10, "singleEvents": "true",
                                    "orderBy": "startTime"})
    req = urllib.request.Request(f"{url}/calendar/v3/calendars/primary/events?{query}",
                                 headers={"Authorization": f"Bearer {token}"})
    items = json.load(urllib.request.urlopen(req, context=context))["items"]
    lines = ["Getting the upcoming 10 events"]
    lines += [f"{e['start'].get('dateTime', e['start'].get('date'))} {e.get('summary', '')}" for e in items]
    if not items:
        lines.append("No upcoming events found.")
    return lines

got = open(f"{work}/upcoming").read().splitlines()
expected = [printed_at(before), printed_at(after)]
if got not in expected:
    sys.exit("upcoming_events printed\n" + "\n".join(got) + "\nbut events.list says\n" + "\n".join(expected[0]))
print(f"same {len(got) - 1} lines as events.list")
PY

echo "== what the emulator stored"
python3 - "$url" "$work" <<'PY'
import json, ssl, sys, urllib.request
url, work = sys.argv[1], sys.argv[2]
ctx = ssl.create_default_context(cafile=f"{work}/ca.pem")
box = json.load(urllib.request.urlopen(f"{url}/_emulator/gmail?user=user2@example.com", context=ctx))
text = json.dumps(box, ensure_ascii=False)
assert "Καλημέρα" in text and "Γιώργος" in text and "notes.txt" in text, text[:2000]
print("the Greek subject, name and attachment arrived")
PY
echo "external emulator examples: 4 passed, 0 failed"
