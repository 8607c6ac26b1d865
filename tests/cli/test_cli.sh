#!/usr/bin/env bash
# The command-line client against a real server: `forewarn init`, `forewarn serve` on a free loopback port,
# then every client command, its output, its exit status, its --help, and its errors.
# Usage: test_cli.sh FOREWARN_BINARY [SOURCE_DIR]
set -u

FW=${1:?usage: test_cli.sh FOREWARN_BINARY [SOURCE_DIR]}
SRC=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fw-cli.XXXXXX")
. "$(dirname "$0")/harness.sh"

# --- a data directory and a server on a free port
init_data "$TMP/admin.token" "$TMP/data"
if [ "$(wc -l <"$TMP/admin.token")" -ne 1 ] || ! grep -qE '^fw_[A-Za-z0-9_-]+$' "$TMP/admin.token"; then
	echo "forewarn init --quiet should print only the admin token" >&2
	exit 1
fi
start_server "$TMP/data"
ADMIN=(--token-file "$TMP/admin.token")

# --- init refuses a bad --tls-name before writing anything: the same directory is free for the next try
expect 2 "init --tls-name bad" init "$TMP/data2" --tls-name 'bad name!' --quiet
err_has "'bad name!' is not a host name or IP address" "init names the bad --tls-name"
if [ -z "$(ls -A "$TMP/data2")" ]; then ok; else bad "init --tls-name bad left files: $(ls "$TMP/data2")"; fi
expect 0 "init again after a bad --tls-name" init "$TMP/data2" --quiet

# --- help: every group and every command has a man page on standard output, exit status 0
check_help()
{
	expect 0 "$* --help" "$@" --help
	for section in NAME SYNOPSIS DESCRIPTION OPTIONS 'EXIT STATUS' EXAMPLE; do
		out_has "^$section" "$* --help: section $section"
	done
	if [ -s "$TMP/err" ]; then bad "$* --help wrote to standard error"; else ok; fi
}
expect 0 "forewarn --help" --help
out_has '^CLIENT COMMANDS' "forewarn --help lists the client commands"
out_has 'forewarn advisory deliveries ID' "forewarn --help lists advisory deliveries"
for cmd in list show create update suspend reinstate remove token tokens revoke-token; do
	check_help partner "$cmd"
done
for cmd in list set; do
	check_help tier "$cmd"
	check_help rule "$cmd"
done
for cmd in list show create revise schedule withdraw publish deliveries; do
	check_help advisory "$cmd"
done
for group in partner tier rule advisory inbox events; do
	check_help "$group"
done
expect 0 "partner help" partner help
out_has '^COMMANDS' "partner help lists the commands"
expect 0 "-h" partner show -h
out_has '^SYNOPSIS' "partner show -h"

# --- bad usage: exit status 2, saying what is wrong
expect 2 "unknown command" partner frobnicate "${ADMIN[@]}"
err_has "unknown command 'frobnicate'" "unknown command named"
expect 2 "no command" partner
err_has "a command is required" "missing command"
expect 2 "unknown option" partner list --frobnicate "${ADMIN[@]}"
err_has "unknown option '--frobnicate'" "unknown option named"
expect 2 "ambiguous option" partner list --tok x
err_has "ambiguous" "ambiguous option"
expect 2 "option without its argument" partner create --id
err_has "option '--id' needs an argument" "missing option argument named"
expect 2 "missing argument" partner show "${ADMIN[@]}"
err_has "missing argument \(usage: forewarn partner show ID\)" "missing argument named"
expect 2 "extra argument" partner show a b "${ADMIN[@]}"
err_has "unexpected argument 'b'" "extra argument named"
expect 2 "missing required option" partner create --id x --name X "${ADMIN[@]}"
err_has "\-\-country is required" "missing --country named"
expect 2 "no token" partner list
err_has "no token" "missing token"
expect 2 "unreadable token file" partner list --token-file "$TMP/nonexistent"
err_has "cannot read the token file '$TMP/nonexistent'" "unreadable token file named"
expect 2 "two tokens" partner list --token x --token-file "$TMP/admin.token"
expect 2 "bad URL" partner list --url ftp://example.org "${ADMIN[@]}"
err_has "is not an http:// or https:// URL" "bad URL"
expect 2 "unreadable part file" advisory create --title T --summary "$TMP/nonexistent" "${ADMIN[@]}"
err_has "cannot read the --summary file '$TMP/nonexistent'" "unreadable part file named"
expect 2 "bad tier" tier set vetted "${ADMIN[@]}"
err_has "'vetted' is not NAME=HOURS" "bad tier named"
expect 2 "bad events number" events --after x "${ADMIN[@]}"
expect 2 "rule set without a file" rule set "${ADMIN[@]}"
expect 2 "inbox --poc without an ID" inbox --poc --token x

# --- transport and server errors: exit status 1 with the reason
expect 1 "unreachable server" partner list --url http://127.0.0.1:1 "${ADMIN[@]}"
err_has "^forewarn: cannot reach http://127.0.0.1:1: " "unreachable server reported"
expect 1 "bad token" partner list --token fw_not_a_valid_token
err_has "^forewarn: 401 the token is not valid$" "bad token reported"
if grep -q fw_not_a_valid_token "$TMP/out" "$TMP/err"; then bad "a token was printed"; else ok; fi

# --- tiers and rules
expect 0 "tier list" tier list "${ADMIN[@]}"
out_has '^NAME +LEAD_HOURS' "tier list header"
out_has '^vetted +120$' "tier list: vetted"
expect 0 "tier set" tier set vetted=120 standard=24 early=72 "${ADMIN[@]}"
out_has '^early +72$' "tier set answers the new list"
expect 0 "tier list after set" tier list "${ADMIN[@]}"
out_has '^early +72$' "tier list: early"
expect 1 "tier set with a bad tier" tier set vetted=99999 "${ADMIN[@]}"
err_has '^forewarn: 400 .*\(field: ' "tier set error names the field"
expect 0 "rule list" rule list "${ADMIN[@]}"
out_has '^mandatory-reporting +0 +summary' "rule list: default rule"
cat >"$TMP/rules.json" <<'EOF'
{"rules": [{"id": "mandatory-reporting", "description": "Reporting laws", "countries": ["CN", "RU"],
            "max_lead_hours": 0, "parts": ["summary"]}]}
EOF
expect 0 "rule set" rule set --json "$TMP/rules.json" "${ADMIN[@]}"
out_has '^mandatory-reporting +0 +summary +CN,RU +Reporting laws$' "rule set answers the new list"
expect 0 "rule set from standard input" rule set --json - "${ADMIN[@]}" <"$TMP/rules.json"
expect 0 "rule list --json" rule list --json "${ADMIN[@]}"
out_has '^\{"rules":\[\{"id":"mandatory-reporting".*"countries":\["CN","RU"\]' "rule list --json"
echo '{"rules": [{"id": "x"}]}' >"$TMP/badrules.json"
expect 1 "rule set refused" rule set --json "$TMP/badrules.json" "${ADMIN[@]}"
err_has '^forewarn: 400 ' "rule set refusal reported"

# --- partners
expect 0 "partner list, empty" partner list "${ADMIN[@]}"
out_has '^ID +NAME +COUNTRY +TIER +ENTITLEMENTS +STATUS$' "partner list header"
out_has '^\(none\)$' "partner list empty"
expect 0 "partner create" partner create --id acme-av --name 'Acme "Anti" Virus' --country DE --tier vetted \
	--entitlements summary,details,detection,poc --nda-version 2025-1 --nda-signed 2025-03-01 \
	--email psirt@acme.example "${ADMIN[@]}"
out_has '^id: +acme-av$' "partner create prints the id"
out_has '^name: +Acme "Anti" Virus$' "partner create: name with quotes"
out_has '^entitlements: +summary,details,detection,poc$' "partner create: entitlements"
out_has '^nda_signed: +2025-03-01$' "partner create: nda_signed"
out_has '^contact_email: +psirt@acme.example$' "partner create: email"
out_has '^status: +active$' "partner create: status"
echo '{"id": "beta-sec", "name": "Beta Security", "country": "FR", "tier": "standard"}' >"$TMP/beta.json"
expect 0 "partner create --json -" partner create --json - "${ADMIN[@]}" <"$TMP/beta.json"
out_has '^id: +beta-sec$' "partner create --json"
out_has '^entitlements: +summary,details,detection$' "partner create --json: default entitlements"
expect 2 "--json FILE with field options" partner create --json "$TMP/rules.json" --name X "${ADMIN[@]}"
expect 1 "partner create, bad country" partner create --id gamma --name Gamma --country XX --tier vetted \
	"${ADMIN[@]}"
err_has '^forewarn: 400 .+ \(field: country\)$' "bad country reported with its field"
expect 1 "partner create, duplicate" partner create --id acme-av --name A --country DE --tier vetted "${ADMIN[@]}"
err_has '^forewarn: 409 ' "duplicate partner reported"
expect 0 "partner list" partner list "${ADMIN[@]}"
out_has '^acme-av +Acme "Anti" Virus +DE +vetted +summary,details,detection,poc +active$' "partner list: acme-av"
out_has '^beta-sec +Beta Security +FR +standard ' "partner list: beta-sec"
expect 0 "partner list --json" partner list --json "${ADMIN[@]}"
out_has '^\{"partners":\[\{"id":"acme-av"' "partner list --json"
expect 0 "partner show" partner show acme-av "${ADMIN[@]}"
out_has '^tier: +vetted$' "partner show: tier"
out_has '^created_at: +[0-9]{4}-' "partner show: created_at"
expect 1 "partner show, unknown" partner show nobody "${ADMIN[@]}"
err_has '^forewarn: 404 not found$' "unknown partner reported"
printf ' \n' >"$TMP/empty.pub"
expect 2 "partner seal-key, empty key file" partner seal-key acme-av "$TMP/empty.pub" "${ADMIN[@]}"
err_has "the public key file '.*empty.pub' is empty" "partner seal-key: an empty key file is named"
expect 0 "partner update" partner update beta-sec --tier early --nda-signed 2025-04-01 "${ADMIN[@]}"
out_has '^tier: +early$' "partner update: tier"
out_has '^nda_signed: +2025-04-01$' "partner update: nda_signed"
expect 0 "partner update, clear a field" partner update beta-sec --nda-signed '' "${ADMIN[@]}"
out_has '^nda_signed: +-$' "partner update: nda_signed cleared"
expect 2 "partner update, nothing" partner update beta-sec "${ADMIN[@]}"
expect 1 "partner update, unknown tier" partner update beta-sec --tier nope "${ADMIN[@]}"
err_has '^forewarn: (400|404|409) ' "unknown tier reported"
expect 0 "partner token" partner token acme-av "${ADMIN[@]}"
out_has '^fw_[A-Za-z0-9_-]+$' "partner token prints the token"
err_has 'shown only this once' "partner token says it is shown once"
cp "$TMP/out" "$TMP/acme.token"
PARTNER=(--token-file "$TMP/acme.token")
expect 0 "partner token (second)" partner token beta-sec "${ADMIN[@]}"
cp "$TMP/out" "$TMP/beta.token"
expect 0 "partner token --json" partner token beta-sec --json "${ADMIN[@]}"
out_has '^\{"id":"[0-9a-f]{16}","partner":"beta-sec".*"token":"fw_' "partner token --json"
TOKEN_ID=$(sed -n 's/^{"id":"\([0-9a-f]*\)".*/\1/p' "$TMP/out")
expect 0 "partner tokens" partner tokens beta-sec "${ADMIN[@]}"
out_has '^ID +CREATED_AT +EXPIRES_AT +REVOKED_AT$' "partner tokens header"
out_has "^$TOKEN_ID +[0-9]{4}-[^ ]+ +- +-$" "partner tokens lists the token (no expiry, not revoked)"
out_lacks 'fw_' "partner tokens shows no secret"
expect 0 "partner revoke-token" partner revoke-token beta-sec "$TOKEN_ID" "${ADMIN[@]}"
out_has "revoked token $TOKEN_ID of partner beta-sec" "partner revoke-token confirms"
expect 0 "partner tokens after revoke" partner tokens beta-sec "${ADMIN[@]}"
out_has "^$TOKEN_ID +[0-9]{4}-[^ ]+ +- +[0-9]{4}-" "partner tokens: revoked"
expect 1 "partner revoke-token, again" partner revoke-token beta-sec "$TOKEN_ID" "${ADMIN[@]}"
err_has '^forewarn: 404 .*\(field: token\)$' "second revoke reported"

# --- advisories
printf 'A heap overflow in the "gateway" allows\tremote code execution \\ with ünïcode.\n' >"$TMP/summary.md"
printf 'Send 4097 bytes to /api/upload.\n' >"$TMP/details.md"
printf 'alert tcp any any -> any 443 (msg:"gateway overflow";)\n' >"$TMP/detection.md"
printf 'import socket\nprint("proof of concept")\n' >"$TMP/poc.py"
expect 0 "advisory list, empty" advisory list "${ADMIN[@]}"
out_has '^\(none\)$' "advisory list empty"
expect 0 "advisory create" advisory create --id fw-2026-0001 --title 'Heap overflow in the gateway' \
	--cve CVE-2026-12345 --cve CVE-2026-12346 --product 'Gateway 4.2' --product 'Gateway 5.0' \
	--cvss CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H --summary "$TMP/summary.md" \
	--details "$TMP/details.md" --detection "$TMP/detection.md" --poc "$TMP/poc.py" --note first \
	"${ADMIN[@]}"
out_has '^id: +fw-2026-0001$' "advisory create: id"
out_has '^status: +draft$' "advisory create: draft"
out_has '^cves: +CVE-2026-12345,CVE-2026-12346$' "advisory create: cves"
out_has '^products: +Gateway 4.2,Gateway 5.0$' "advisory create: products"
out_has '^cvss_score: +9.8$' "advisory create: score"
out_has '^cvss_severity: +CRITICAL$' "advisory create: severity"
expect 0 "advisory create, draft from standard input" advisory create --id fw-2026-0002 --title Second \
	--summary - "${ADMIN[@]}" <"$TMP/details.md"
out_has '^revision: +1$' "advisory create from standard input"
expect 1 "advisory create, bad CVE" advisory create --title T --cve NOT-A-CVE --summary "$TMP/summary.md" \
	"${ADMIN[@]}"
err_has '^forewarn: 400 .*\(field: cves' "bad CVE reported with its field"
expect 0 "advisory list" advisory list "${ADMIN[@]}"
out_has '^ID +STATUS +PUBLIC_AT +REVISION +CVSS_SCORE +TITLE$' "advisory list header"
out_has '^fw-2026-0001 +draft +- +1 +9.8 +Heap overflow in the gateway$' "advisory list: fw-2026-0001"
expect 0 "advisory list --status" advisory list --status scheduled "${ADMIN[@]}"
out_has '^\(none\)$' "advisory list --status scheduled: none yet"
expect 0 "advisory show" advisory show fw-2026-0001 "${ADMIN[@]}"
out_has '^--- summary ---$' "advisory show: summary heading"
if grep -qF "$(cat "$TMP/summary.md")" "$TMP/out"; then ok; else bad "advisory show: the summary text, escaped and back"; fi
out_has '^print\("proof of concept"\)$' "advisory show: the PoC"
out_has '^Fingerprint: [0-9]+ code positions' "advisory show: the fingerprint's code positions"
out_has '^  poc +0 slots, 0 positions$' "advisory show: slots per part"
out_has '^1 +[0-9]{4}-[^ ]+ +summary,details,detection,poc +first$' "advisory show: revisions"
expect 0 "advisory show --json" advisory show fw-2026-0001 --json "${ADMIN[@]}"
out_has '"parts":\{"summary":"A heap overflow in the \\"gateway\\" allows\\tremote' "advisory show --json"
T=$(date -u -d '+3 days' +%Y-%m-%dT%H:%M:%SZ)
expect 0 "advisory schedule" advisory schedule fw-2026-0001 "$T" "${ADMIN[@]}"
out_has '^status: +scheduled$' "advisory schedule: scheduled"
out_has "^public_at: +$T\$" "advisory schedule: the time"
expect 1 "advisory schedule, bad time" advisory schedule fw-2026-0002 tomorrow "${ADMIN[@]}"
err_has '^forewarn: 400 .*\(field: public_at\)$' "bad time reported with its field"
printf 'Revised summary.\n' >"$TMP/summary2.md"
expect 0 "advisory revise" advisory revise fw-2026-0001 --summary "$TMP/summary2.md" --details "$TMP/details.md" \
	--poc "$TMP/poc.py" --note 'second wave' "${ADMIN[@]}"
out_has '^revision: +2$' "advisory revise: revision 2"
expect 2 "advisory revise without summary" advisory revise fw-2026-0001 --note x "${ADMIN[@]}"

# --- the partner's inbox (vetted: 120 h lead, so revision 2 is due now)
for _ in $(seq 50); do
	run inbox "${PARTNER[@]}"
	grep -q '^fw-2026-0001 ' "$TMP/out" && break
	sleep 0.1
done
expect 0 "inbox" inbox "${PARTNER[@]}"
out_has '^ID +TLP +STATUS +PUBLIC_AT +REVISION +PARTS +TITLE$' "inbox header"
out_has "^fw-2026-0001 +RED +embargoed +$T +2 +summary,details,poc +Heap overflow" "inbox lists the advisory"
out_lacks '^fw-2026-0002 ' "inbox lacks the draft"
expect 0 "inbox download" inbox fw-2026-0001 -o "$TMP/copy.json" "${PARTNER[@]}"
if grep -q '"csaf_version": *"2.0"' "$TMP/copy.json" && grep -q 'acme-av' "$TMP/copy.json"; then ok; else
	bad "inbox -o: the CSAF copy"
fi
if [ "$(stat -c %a "$TMP/copy.json")" = 600 ]; then ok; else bad "inbox -o: the copy is not mode 0600"; fi
expect 0 "inbox download to standard output" inbox fw-2026-0001 "${PARTNER[@]}"
if cmp -s "$TMP/out" "$TMP/copy.json"; then ok; else bad "inbox: the same copy on standard output and in -o"; fi
expect 0 "inbox --poc" inbox fw-2026-0001 --poc "${PARTNER[@]}"
if cmp -s "$TMP/out" "$TMP/poc.py"; then ok; else bad "inbox --poc: the PoC as it is"; fi
FOREWARN_TOKEN=$(cat "$TMP/acme.token") expect 0 "inbox with FOREWARN_TOKEN" inbox --json
out_has '^\{"advisories":\[\{"id":"fw-2026-0001"' "inbox --json"
expect 1 "inbox, unknown advisory" inbox fw-2026-0002 "${PARTNER[@]}"
err_has '^forewarn: 404 not found$' "inbox: a draft is not found"
expect 1 "inbox, failed download" inbox fw-2026-0002 -o "$TMP/none.json" "${PARTNER[@]}"
if [ -e "$TMP/none.json" ]; then bad "a failed download left its file"; else ok; fi
expect 2 "inbox, unwritable output" inbox fw-2026-0001 -o "$TMP/nonexistent/x.json" "${PARTNER[@]}"
err_has "cannot write the output file '$TMP/nonexistent/x.json'" "unwritable output named"
expect 1 "admin route with a partner token" partner list "${PARTNER[@]}"
err_has '^forewarn: 403 ' "partner token refused on admin routes"
expect 1 "partner route with the admin token" inbox "${ADMIN[@]}"
err_has '^forewarn: 403 ' "admin token refused on partner routes"

# --- deliveries, suspension, publication, withdrawal
expect 0 "advisory deliveries" advisory deliveries fw-2026-0001 "${ADMIN[@]}"
out_has '^Deliveries$' "deliveries heading"
out_has '^PARTNER +REVISION +PARTS +DUE_AT +DELIVERED_AT$' "deliveries header"
out_has '^acme-av +2 +summary,details,poc ' "deliveries: acme-av revision 2"
out_has '^Downloads$' "downloads heading"
out_has '^PARTNER +REVISION +WHAT +AT +ADDRESS$' "downloads header"
out_has '^acme-av +2 +csaf +[0-9]{4}-[^ ]+ +127.0.0.1$' "downloads: the copy"
out_has '^acme-av +2 +poc ' "downloads: the PoC"
expect 0 "advisory deliveries --partner" advisory deliveries fw-2026-0001 --partner beta-sec "${ADMIN[@]}"
out_lacks '^acme-av' "deliveries --partner filters"
expect 0 "advisory deliveries --json" advisory deliveries fw-2026-0001 --json "${ADMIN[@]}"
out_has '^\{"advisory":"fw-2026-0001","deliveries":\[' "deliveries --json"
expect 0 "partner suspend" partner suspend acme-av --reason 'under investigation' "${ADMIN[@]}"
out_has '^status: +suspended$' "partner suspend"
expect 1 "inbox while suspended" inbox fw-2026-0001 "${PARTNER[@]}"
err_has '^forewarn: 404 not found$' "suspended partner: not found"
expect 0 "partner reinstate" partner reinstate acme-av "${ADMIN[@]}"
out_has '^status: +active$' "partner reinstate"
expect 0 "advisory publish" advisory publish fw-2026-0001 "${ADMIN[@]}"
out_has '^status: +public$' "advisory publish"
expect 0 "inbox after publication" inbox "${PARTNER[@]}"
out_has '^fw-2026-0001 +WHITE +public ' "inbox: public copy"
expect 0 "advisory withdraw" advisory withdraw fw-2026-0002 --reason 'duplicate' "${ADMIN[@]}"
out_has '^status: +withdrawn$' "advisory withdraw"
expect 1 "advisory withdraw, again" advisory withdraw fw-2026-0002 "${ADMIN[@]}"
err_has '^forewarn: 409 ' "second withdrawal refused"
expect 1 "advisory revise, withdrawn" advisory revise fw-2026-0002 --summary "$TMP/summary.md" "${ADMIN[@]}"
err_has '^forewarn: 409 ' "revising a withdrawn advisory refused"

# --- CSAF import
CSAF=$SRC/../shared/csaf/examples/bsi-2022-0001.json
if [ -f "$CSAF" ]; then
	expect 0 "advisory create --csaf" advisory create --csaf "$CSAF" --id bsi-2022-0001 --public-at "$T" \
		--note imported "${ADMIN[@]}"
	out_has '^id: +bsi-2022-0001$' "CSAF import: id"
	out_has '^title: +CVRF-CSAF-Converter: XML External Entities Vulnerability$' "CSAF import: title"
	out_has '^cves: +CVE-2022-27193$' "CSAF import: CVE"
	out_has '^status: +scheduled$' "CSAF import: scheduled"
	expect 2 "advisory create --csaf with --title" advisory create --csaf "$CSAF" --title x "${ADMIN[@]}"
else
	echo "skip: CSAF import ($CSAF not found)"
fi
printf '{"document": {}, "document": {}}' >"$TMP/dup.json"
expect 2 "advisory create --csaf, duplicate keys" advisory create --csaf "$TMP/dup.json" "${ADMIN[@]}"
err_has "cannot read the CSAF file '$TMP/dup.json': .*duplicate" "CSAF file with duplicate keys named"
printf '{"document": ' >"$TMP/broken.json"
expect 2 "advisory create --csaf, malformed" advisory create --csaf "$TMP/broken.json" "${ADMIN[@]}"
err_has "cannot read the CSAF file '$TMP/broken.json': malformed JSON at line" "malformed CSAF file named"
expect 1 "advisory create --csaf, not CSAF" advisory create --csaf "$TMP/rules.json" "${ADMIN[@]}"
err_has '^forewarn: 400 .*\(field: csaf' "a JSON file that is not CSAF reported"

# --- events, removal
expect 0 "events" events "${ADMIN[@]}"
out_has '^SEQ +AT +TYPE +ACTOR +SUBJECT$' "events header"
out_has '^[0-9]+ +[0-9]{4}-[^ ]+ +partner.suspended +admin:[0-9a-f]+ +acme-av$' "events: suspension"
out_has ' download ' "events: downloads"
expect 0 "events --limit" events --limit 2 "${ADMIN[@]}"
if [ "$(grep -cE '^[0-9]+ ' "$TMP/out")" = 2 ]; then ok; else bad "events --limit 2: two events"; fi
expect 0 "events --after" events --after 3 --limit 1 "${ADMIN[@]}"
out_has '^4 ' "events --after 3 starts at 4"
expect 0 "events --json" events --json --limit 1 "${ADMIN[@]}"
out_has '^\{"events":\[\{"seq":1,' "events --json"
# trace: a partner's own PoC names it; an unrelated text names nobody.
expect 0 "trace --help" trace --help
out_has '^    forewarn trace FILE' "trace --help synopsis"
printf 'Nothing to do with any advisory.\n' >"$TMP/unrelated.txt"
expect 0 "trace of an unrelated text" trace "$TMP/unrelated.txt" "${ADMIN[@]}"
out_has '^no accusation' "trace: unrelated text"
expect 2 "trace without a file" trace "${ADMIN[@]}"
expect 1 "trace with a partner token" trace "$TMP/unrelated.txt" "${PARTNER[@]}"
err_has '^forewarn: 403 ' "trace needs an admin token"
expect 0 "partner remove" partner remove acme-av --reason 'left the programme' "${ADMIN[@]}"
out_has '^status: +removed$' "partner remove"
expect 1 "inbox after removal" inbox "${PARTNER[@]}"
err_has '^forewarn: 401 ' "removed partner's token refused"
expect 0 "partner list --status removed" partner list --status removed "${ADMIN[@]}"
out_has '^acme-av ' "partner list --status removed"
out_lacks '^beta-sec ' "partner list --status filters"

stop_server
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
