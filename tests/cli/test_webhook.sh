#!/usr/bin/env bash
# `forewarn webhook` and `forewarn outbox` against a real server: their man pages, usage errors, outputs (table,
# fields, --json), and a notification set aside and retried; and `forewarn serve`'s webhook options.
# Usage: test_webhook.sh FOREWARN_BINARY
set -u

FW=${1:?usage: test_webhook.sh FOREWARN_BINARY}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fw-cli-webhook.XXXXXX")
. "$(dirname "$0")/harness.sh"

init_data "$TMP/admin.token" "$TMP/data"

# --- serve's options: bad values are usage errors naming the option
expect 2 "bad --webhook-backoff" serve --data "$TMP/data" --webhook-backoff 30
err_has "\-\-webhook-backoff: '30' is not a time" "a time needs its unit"
expect 2 "zero --webhook-timeout" serve --data "$TMP/data" --webhook-timeout 0s
err_has "\-\-webhook-timeout" "zero timeout refused"
expect 2 "too long --webhook-connect-timeout" serve --data "$TMP/data" --webhook-connect-timeout 25h
expect 2 "bad --webhook-max-tries" serve --data "$TMP/data" --webhook-max-tries 0
err_has "\-\-webhook-max-tries: must be 1 to 100" "max tries range"
expect 0 "serve --help" serve --help
out_has '^    --webhook-backoff TIME' "serve --help: --webhook-backoff"
out_has '^    --webhook-max-tries N' "serve --help: --webhook-max-tries"

# A receiver that is never there: port 1 on loopback refuses at once.
start_server "$TMP/data" --webhook-backoff 100ms --webhook-max-tries 2
ADMIN=(--token-file "$TMP/admin.token")

# --- help: man pages on standard output
check_help()
{
	expect 0 "$* --help" "$@" --help
	for section in NAME SYNOPSIS DESCRIPTION OPTIONS 'EXIT STATUS' EXAMPLE; do
		out_has "^$section" "$* --help: section $section"
	done
	if [ -s "$TMP/err" ]; then bad "$* --help wrote to standard error"; else ok; fi
}
for cmd in set show remove; do check_help webhook "$cmd"; done
for cmd in list show retry; do check_help outbox "$cmd"; done
check_help webhook
check_help outbox
expect 0 "forewarn --help" --help
out_has 'forewarn webhook set PARTNER URL' "forewarn --help lists webhook set"
out_has 'forewarn outbox retry ID' "forewarn --help lists outbox retry"

# --- usage errors
expect 2 "webhook set without URL" webhook set acme "${ADMIN[@]}"
err_has "missing argument \(usage: forewarn webhook set PARTNER URL\)" "missing URL named"
expect 2 "outbox retry of a non-number" outbox retry abc "${ADMIN[@]}"
err_has "'abc' is not a notification id" "bad id named"
expect 2 "outbox list --limit x" outbox list --limit x "${ADMIN[@]}"
expect 2 "outbox list with an argument" outbox list extra "${ADMIN[@]}"

# --- a partner, its webhook, a release: the notification fails twice and is set aside
expect 0 "partner create" partner create --id acme --name Acme --country DE --tier vetted "${ADMIN[@]}"
expect 1 "webhook set, plain http off loopback" webhook set acme http://hooks.example.com/x "${ADMIN[@]}"
err_has "^forewarn: 400 .*url" "the server's refusal names url"
expect 1 "webhook show before set" webhook show acme "${ADMIN[@]}"
err_has "^forewarn: 404 " "no webhook yet"
expect 0 "webhook set" webhook set acme http://127.0.0.1:1/hook "${ADMIN[@]}"
out_has '^whsec_[0-9a-f]{64}$' "the secret alone on standard output"
err_has "shown only this once" "the secret's note on standard error"
expect 0 "webhook show" webhook show acme "${ADMIN[@]}"
out_has '^url: +http://127\.0\.0\.1:1/hook$' "webhook show: url"
out_lacks 'whsec_' "webhook show: no secret"
expect 0 "webhook show --json" webhook show acme --json "${ADMIN[@]}"
out_has '^\{"partner":"acme","url":"http://127\.0\.0\.1:1/hook",' "webhook show --json"
out_has '"content":"none"' "webhook show --json: content none by default"
expect 1 "webhook set --content sealed without a sealing key" webhook set acme http://127.0.0.1:1/hook \
	--content sealed "${ADMIN[@]}"
err_has "^forewarn: 400 .*sealing key.*\(field: content\)" "the refusal names content and the missing key"
expect 1 "webhook set --content bogus" webhook set acme http://127.0.0.1:1/hook --content bogus "${ADMIN[@]}"
err_has "^forewarn: 400 .*content" "a bad --content is refused naming content"
printf 'Summary.\n' >"$TMP/summary.txt"
# T in two days: the vetted partner (120 h ahead) receives it at once.
expect 0 "advisory create" advisory create --title T --product P --public-at "$(date -u -d '+2 days' +%Y-%m-%dT%H:%M:%SZ)" \
	--summary "$TMP/summary.txt" "${ADMIN[@]}"
for _ in $(seq 100); do
	run outbox list --state failed "${ADMIN[@]}"
	grep -q '^1 ' "$TMP/out" && break
	sleep 0.1
done
expect 0 "outbox list --state failed" outbox list --state failed "${ADMIN[@]}"
out_has '^ID +PARTNER +ADVISORY +REVISION +STATE +TRIES +NEXT_ATTEMPT_AT +LAST_ERROR' "outbox list: header"
out_has '^1 +acme +fw-[0-9]{4}-0001 +1 +failed +2 +- +.*onnect' "outbox list: the set-aside item"
expect 0 "outbox list --state delivered" outbox list --state delivered "${ADMIN[@]}"
out_lacks '^1 ' "outbox list filters by state"
expect 1 "outbox list --state bogus" outbox list --state bogus "${ADMIN[@]}"
err_has "^forewarn: 400 .*state" "bad state named"
expect 0 "outbox show" outbox show 1 "${ADMIN[@]}"
out_has '^key: +wh_[0-9a-f]{32}$' "outbox show: key"
out_has '^parts: +summary$' "outbox show: parts"
expect 0 "outbox list --json" outbox list --partner acme --json "${ADMIN[@]}"
out_has '^\{"outbox":\[\{"id":1,' "outbox list --json"
expect 0 "webhook remove" webhook remove acme "${ADMIN[@]}"
out_has '^removed the webhook of partner acme$' "webhook remove"
expect 1 "webhook remove again" webhook remove acme "${ADMIN[@]}"
expect 0 "outbox retry" outbox retry 1 "${ADMIN[@]}"
out_has '^state: +pending$' "outbox retry: pending again"
out_has '^tries: +0$' "outbox retry: tries reset"
expect 1 "outbox retry of a missing item" outbox retry 99 "${ADMIN[@]}"
err_has "^forewarn: 404 " "missing item"
# The retried item is skipped now that the webhook is gone.
for _ in $(seq 100); do
	run outbox show 1 "${ADMIN[@]}"
	grep -qE '^state: +skipped' "$TMP/out" && break
	sleep 0.1
done
out_has '^state: +skipped$' "retried after removal: skipped"
out_has "^last_error: +the partner's webhook was removed$" "retried after removal: skipped, with the reason"

stop_server
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
