#!/usr/bin/env bash
# The transparency log from the command line, against real servers: `forewarn log` key, checkpoint, prove,
# receipt and remote verify; the offline verifiers a partner runs with only the public key (verify-receipt,
# verify-consistency); verify --data on a stopped server's directory; then the tamper tests (an entry or a
# hash changed, deleted or reordered: verify names the index) and a rewritten, re-signed history that only
# an older checkpoint reveals. Needs curl and the sqlite3 command-line shell.
# Usage: test_log.sh FOREWARN_BINARY [SOURCE_DIR [LOG_REWRITE_BINARY]]
set -u

FW=${1:?usage: test_log.sh FOREWARN_BINARY [SOURCE_DIR [LOG_REWRITE_BINARY]]}
REWRITE=${3:-$(dirname "$FW")/tests/cli/log_rewrite}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fw-log.XXXXXX")
for tool in curl sqlite3; do
	if ! command -v "$tool" >/dev/null; then
		echo "test_log.sh: $tool is required (scripts/install-deps.sh --test installs it)" >&2
		exit 1
	fi
done
if [ ! -x "$REWRITE" ]; then
	echo "test_log.sh: the helper log_rewrite is not built: '$REWRITE'" >&2
	exit 1
fi

. "$(dirname "$0")/harness.sh"

# download ID COPY: a partner's copy of advisory ID into COPY; sets IDX to its Forewarn-Log-Index.
download()
{
	IDX=
	if ! curl -sS -f -D "$TMP/headers" -o "$2" -H "Authorization: Bearer $(cat "$TMP/acme.token")" \
		"$URL/api/v1/inbox/$1"; then
		bad "download of $1 failed"
		return
	fi
	IDX=$(sed -n 's/^forewarn-log-index: *\([0-9]*\)\r*$/\1/ip' "$TMP/headers")
	if [ -n "$IDX" ]; then ok; else bad "download of $1: no Forewarn-Log-Index header"; fi
}

# checkpoint_size FILE: the tree size a checkpoint names (its second line).
checkpoint_size() { sed -n 2p "$1"; }

# --- a demo data directory and a server on a free port
init_data "$TMP/init.out" "$TMP/data" --demo
head -n 1 "$TMP/init.out" >"$TMP/admin.token"
sed -n 's/^Partner token for acme-av .*: \(fw_[A-Za-z0-9_-]*\)$/\1/p' "$TMP/init.out" >"$TMP/acme.token"
if ! grep -q '^fw_' "$TMP/admin.token" || ! grep -q '^fw_' "$TMP/acme.token"; then
	echo "forewarn init --demo: no admin or acme-av token in its output" >&2
	exit 1
fi
# What a partner holds: the log's public key, given out of band (a copy of log.pub).
cp "$TMP/data/log.pub" "$TMP/log.pub"
init_data /dev/null "$TMP/other"
cp "$TMP/other/log.pub" "$TMP/wrong.pub" # another log's key, under the same name
start_server "$TMP/data"
ADMIN=(--token-file "$TMP/admin.token")
PARTNER=(--token-file "$TMP/acme.token")
KEY=(--key-file "$TMP/log.pub")
WRONG_KEY=(--key-file "$TMP/wrong.pub")

# --- help: the group and every command have a man page; usage errors are exit status 2
expect 0 "log --help" log --help
out_has '^NAME' "log --help"
out_has 'verify-consistency' "log --help lists the commands"
for cmd in key checkpoint verify prove receipt verify-receipt verify-consistency; do
	expect 0 "log $cmd --help" log "$cmd" --help
	out_has "^    forewarn log $cmd - " "log $cmd --help: NAME"
	out_has '^EXAMPLE' "log $cmd --help: EXAMPLE"
done
expect 0 "forewarn --help lists log" --help
out_has 'forewarn log verify-receipt' "forewarn --help"
expect 2 "log without a command" log
expect 2 "log unknown command" log frobnicate
expect 2 "verify-receipt without a receipt" log verify-receipt "${KEY[@]}"
expect 2 "verify-receipt without a key" log verify-receipt "$TMP/nothing.json"
err_has 'verifier key is required' "verify-receipt without a key"
expect 2 "verify-consistency with one checkpoint" log verify-consistency "$TMP/a" "${KEY[@]}"
expect 2 "--key and --key-file" log verify --key x --key-file "$TMP/log.pub" "${ADMIN[@]}"
expect 2 "a bad --key" log verify-receipt "$TMP/nothing.json" --key 'not a key'
err_has 'not a log verifier key' "a bad --key"
expect 2 "prove without options" log prove "${ADMIN[@]}"
expect 2 "prove --index and --old" log prove --index 1 --old 1 --new 2 "${ADMIN[@]}"
expect 2 "prove --index x" log prove --index x "${ADMIN[@]}"
expect 2 "receipt without --index" log receipt "${ADMIN[@]}"
expect 2 "log key without a token" log key
err_has 'no token' "log key without a token"
expect 2 "verify --data of no data directory" log verify --data "$TMP/nowhere"

# --- key and checkpoint
expect 0 "log key" log key "${PARTNER[@]}"
if cmp -s "$TMP/out" "$TMP/log.pub"; then ok; else bad "log key is not log.pub"; fi
expect 0 "log checkpoint" log checkpoint "${PARTNER[@]}"
out_has '^forewarn\.example/forewarn-log$' "log checkpoint: the origin line"
out_has '^[0-9]+$' "log checkpoint: the size line"
out_has '^— forewarn\.example/forewarn-log ' "log checkpoint: the signature line"
expect 0 "log checkpoint --key-file" log checkpoint "${KEY[@]}" "${ADMIN[@]}"
err_has '^checkpoint verified: forewarn\.example/forewarn-log, size [0-9]+' "log checkpoint --key-file"
expect 1 "log checkpoint with the wrong key" log checkpoint "${WRONG_KEY[@]}" -o "$TMP/refused" "${ADMIN[@]}"
err_has 'does not verify' "log checkpoint with the wrong key"
if [ -e "$TMP/refused" ]; then bad "a refused checkpoint was saved"; else ok; fi

# --- activity, a first download, and the partner's OLD checkpoint
download fw-demo-0001 "$TMP/copy1.json"
IDX1=$IDX
expect 0 "partner create" partner create --id zeta-sec --name 'Zeta Security' --country DE --tier vetted \
	"${ADMIN[@]}"
expect 0 "log checkpoint -o OLD" log checkpoint -o "$TMP/old.checkpoint" "${KEY[@]}" "${PARTNER[@]}"
OLD_SIZE=$(checkpoint_size "$TMP/old.checkpoint")
if [ -n "$IDX1" ] && [ "$OLD_SIZE" -gt "$IDX1" ]; then ok; else
	bad "OLD ($OLD_SIZE) does not hold entry $IDX1"
fi

# --- more activity, the NEW checkpoint
expect 0 "partner token" partner token zeta-sec "${ADMIN[@]}"
expect 0 "partner suspend" partner suspend zeta-sec --reason 'testing the log' "${ADMIN[@]}"
download fw-demo-0002 "$TMP/copy2.json"
IDX2=$IDX
expect 0 "log checkpoint -o NEW" log checkpoint -o "$TMP/new.checkpoint" "${PARTNER[@]}"
NEW_SIZE=$(checkpoint_size "$TMP/new.checkpoint")
if [ "$NEW_SIZE" -gt "$OLD_SIZE" ]; then ok; else bad "NEW ($NEW_SIZE) is not larger than OLD ($OLD_SIZE)"; fi

# --- proofs
expect 0 "log prove --index" log prove --index "$IDX1" "${PARTNER[@]}"
out_has "^entry +$IDX1\$" "log prove --index: the entry"
out_has '^leaf hash +[A-Za-z0-9+/]{43}=$' "log prove --index: the leaf hash"
out_has '^proof +[A-Za-z0-9+/]{43}=$' "log prove --index: the proof"
expect 0 "log prove --index --size --json" log prove --index "$IDX1" --size "$OLD_SIZE" --json "${PARTNER[@]}"
out_has "^\\{\"index\":$IDX1,\"size\":$OLD_SIZE,\"leaf_hash\":\"" "log prove --json"
expect 1 "log prove past the end" log prove --index 999999 "${PARTNER[@]}"
err_has '400' "log prove past the end"
expect 0 "log prove --old --new" log prove --old "$OLD_SIZE" --new "$NEW_SIZE" "${PARTNER[@]}"
out_has "^old size +$OLD_SIZE\$" "log prove --old --new"
expect 0 "log prove --old --new -o" log prove --old "$OLD_SIZE" --new "$NEW_SIZE" -o "$TMP/proof.json" \
	"${PARTNER[@]}"
if grep -q "^{\"old\":$OLD_SIZE,\"new\":$NEW_SIZE,\"proof\":\\[\"" "$TMP/proof.json"; then ok; else
	bad "log prove -o: $(cat "$TMP/proof.json")"
fi

# --- verify-consistency: offline with the saved proof (no server, no token), then online
expect 0 "verify-consistency --proof (offline)" log verify-consistency "$TMP/old.checkpoint" \
	"$TMP/new.checkpoint" --proof "$TMP/proof.json" "${KEY[@]}" --url http://127.0.0.1:9
out_has "^consistent: the log forewarn\\.example/forewarn-log at size $OLD_SIZE .* at size $NEW_SIZE " \
	"verify-consistency --proof"
expect 0 "verify-consistency (online)" log verify-consistency "$TMP/old.checkpoint" "$TMP/new.checkpoint" \
	"${KEY[@]}" "${PARTNER[@]}"
out_has '^consistent' "verify-consistency (online)"
expect 0 "verify-consistency of equal checkpoints" log verify-consistency "$TMP/new.checkpoint" \
	"$TMP/new.checkpoint" "${KEY[@]}"
expect 2 "verify-consistency online without a token" log verify-consistency "$TMP/old.checkpoint" \
	"$TMP/new.checkpoint" "${KEY[@]}"
expect 1 "verify-consistency NEW OLD" log verify-consistency "$TMP/new.checkpoint" "$TMP/old.checkpoint" \
	"${KEY[@]}"
err_has 'rewritten: checkpoint at size [0-9]+ is not a prefix' "verify-consistency NEW OLD"
expect 1 "verify-consistency with the wrong key" log verify-consistency "$TMP/old.checkpoint" \
	"$TMP/new.checkpoint" --proof "$TMP/proof.json" "${WRONG_KEY[@]}"
err_has 'does not verify' "verify-consistency with the wrong key"
first=$(sed -nE 's/.*"proof":\["(.).*/\1/p' "$TMP/proof.json")
flip=A
[ "$first" = A ] && flip=B
sed -E "s/\"proof\":\\[\"./\"proof\":[\"$flip/" "$TMP/proof.json" >"$TMP/proof-bad.json"
expect 1 "verify-consistency with a tampered proof" log verify-consistency "$TMP/old.checkpoint" \
	"$TMP/new.checkpoint" --proof "$TMP/proof-bad.json" "${KEY[@]}"
err_has "the log was rewritten: checkpoint at size $OLD_SIZE is not a prefix of size $NEW_SIZE" \
	"verify-consistency with a tampered proof"
sed -E "s/\"old\":$OLD_SIZE/\"old\":1/" "$TMP/proof.json" >"$TMP/proof-other.json"
expect 1 "verify-consistency with a proof for other sizes" log verify-consistency "$TMP/old.checkpoint" \
	"$TMP/new.checkpoint" --proof "$TMP/proof-other.json" "${KEY[@]}"
err_has 'between sizes 1 and' "verify-consistency with a proof for other sizes"
sed "2s/.*/$((OLD_SIZE + 1))/" "$TMP/old.checkpoint" >"$TMP/forged.checkpoint"
expect 1 "verify-consistency with an edited checkpoint" log verify-consistency "$TMP/forged.checkpoint" \
	"$TMP/new.checkpoint" "${KEY[@]}" "${PARTNER[@]}"
err_has 'does not verify' "verify-consistency with an edited checkpoint"

# --- receipts: the partner's copy is in the log, checked offline with the public key only
expect 0 "log receipt" log receipt --index "$IDX1" -o "$TMP/receipt.json" "${PARTNER[@]}"
if grep -q "^{\"index\":$IDX1," "$TMP/receipt.json"; then ok; else bad "log receipt -o: no receipt saved"; fi
expect 0 "log receipt to standard output" log receipt --index "$IDX1" "${ADMIN[@]}"
out_has '"checkpoint":"forewarn\.example/forewarn-log\\n' "log receipt to standard output"
expect 0 "verify-receipt --copy" log verify-receipt "$TMP/receipt.json" --copy "$TMP/copy1.json" "${KEY[@]}"
out_has "^receipt verified: entry $IDX1 is in the log forewarn\\.example/forewarn-log" "verify-receipt"
out_has '^type: +download$' "verify-receipt: the entry's type"
out_has '^advisory: +fw-demo-0001$' "verify-receipt: the entry's advisory"
out_has "^copy '.*copy1\\.json' is the one logged: SHA-256 $(sha256sum "$TMP/copy1.json" | cut -c1-64)\$" \
	"verify-receipt --copy"
expect 0 "verify-receipt without --copy" log verify-receipt "$TMP/receipt.json" --key "$(cat "$TMP/log.pub")"
# A modified copy.
cp "$TMP/copy1.json" "$TMP/copy-bad.json"
printf ' ' >>"$TMP/copy-bad.json"
expect 1 "verify-receipt with a modified copy" log verify-receipt "$TMP/receipt.json" \
	--copy "$TMP/copy-bad.json" "${KEY[@]}"
err_has '^receipt verification FAILED: the copy .* is not the one entry' "verify-receipt, modified copy"
expect 1 "verify-receipt with another copy" log verify-receipt "$TMP/receipt.json" \
	--copy "$TMP/copy2.json" "${KEY[@]}"
# A modified receipt: a proof byte, the index, the checkpoint text, the entry.
first=$(sed -nE 's/.*"proof":\["(.).*/\1/p' "$TMP/receipt.json")
flip=A
[ "$first" = A ] && flip=B
sed -E "s/\"proof\":\\[\"./\"proof\":[\"$flip/" "$TMP/receipt.json" >"$TMP/r-proof.json"
expect 1 "verify-receipt, a proof byte flipped" log verify-receipt "$TMP/r-proof.json" "${KEY[@]}"
err_has 'FAILED: the proof does not show this entry' "verify-receipt, a proof byte flipped"
sed -E -e "s/^\\{\"index\":$IDX1,/{\"index\":$((IDX1 + 1)),/" \
	-e "s/\"entry\":\\{\"index\":$IDX1,/\"entry\":{\"index\":$((IDX1 + 1)),/" \
	"$TMP/receipt.json" >"$TMP/r-index.json"
expect 1 "verify-receipt, another index" log verify-receipt "$TMP/r-index.json" "${KEY[@]}"
err_has 'FAILED: the proof does not show this entry as number' "verify-receipt, another index"
sed -E "s/^\\{\"index\":$IDX1,/{\"index\":$((IDX1 + 1)),/" "$TMP/receipt.json" >"$TMP/r-index2.json"
expect 1 "verify-receipt, index and entry disagree" log verify-receipt "$TMP/r-index2.json" "${KEY[@]}"
sed -E 's/forewarn-log\\n([0-9]+)\\n/forewarn-log\\n9\1\\n/' "$TMP/receipt.json" >"$TMP/r-checkpoint.json"
if cmp -s "$TMP/receipt.json" "$TMP/r-checkpoint.json"; then bad "the checkpoint edit did nothing"; fi
expect 1 "verify-receipt, the checkpoint edited" log verify-receipt "$TMP/r-checkpoint.json" "${KEY[@]}"
err_has 'FAILED: its checkpoint does not verify' "verify-receipt, the checkpoint edited"
data=$(sed -nE 's/.*"entry":\{"index":[0-9]+,"data":"([^"]*)".*/\1/p' "$TMP/receipt.json")
newdata=$(printf '%s' "$data" | base64 -d | sed 's/"download"/"dovnload"/' | base64 -w0)
sed "s|$data|$newdata|" "$TMP/receipt.json" >"$TMP/r-entry.json"
expect 1 "verify-receipt, the entry edited" log verify-receipt "$TMP/r-entry.json" "${KEY[@]}"
err_has 'FAILED: the proof does not show this entry' "verify-receipt, the entry edited"
expect 1 "verify-receipt with the wrong key" log verify-receipt "$TMP/receipt.json" "${WRONG_KEY[@]}"
err_has 'FAILED: its checkpoint does not verify with key' "verify-receipt with the wrong key"
printf 'not json' >"$TMP/r-junk.json"
expect 1 "verify-receipt of junk" log verify-receipt "$TMP/r-junk.json" "${KEY[@]}"
expect 0 "log receipt of another event" log receipt --index 0 -o "$TMP/r-other.json" "${ADMIN[@]}"
expect 1 "verify-receipt --copy of an entry without a copy" log verify-receipt "$TMP/r-other.json" \
	--copy "$TMP/copy1.json" "${KEY[@]}"
err_has 'records no copy' "verify-receipt --copy of an entry without a copy"

# --- remote verify
expect 0 "log verify (remote)" log verify "${KEY[@]}" "${PARTNER[@]}"
out_has '^log verified: [0-9]+ entries, root [A-Za-z0-9+/]{43}=, checkpoint at size [0-9]+$' "log verify"
expect 0 "log verify with the server's own key" log verify "${ADMIN[@]}"
err_has 'warning: .*proves nothing' "log verify with the server's own key"
expect 1 "log verify with the wrong key" log verify "${WRONG_KEY[@]}" "${ADMIN[@]}"
err_has "FAILED: the server's checkpoint does not verify" "log verify with the wrong key"

# --- offline: the stopped server's data directory
stop_server
expect 0 "log verify --data" log verify --data "$TMP/data"
out_has '^log verified: [0-9]+ entries, root [A-Za-z0-9+/]{43}=, checkpoint at size [0-9]+$' "verify --data"
SIZE=$(sed -n 's/^log verified: \([0-9]*\) entries.*/\1/p' "$TMP/out")
CP_SIZE=$(sed -n 's/^log verified: .*, checkpoint at size \([0-9]*\)$/\1/p' "$TMP/out")
expect 0 "log verify --data --key-file" log verify --data "$TMP/data" "${KEY[@]}"
expect 1 "log verify --data with the wrong key" log verify --data "$TMP/data" "${WRONG_KEY[@]}"
err_has '^log verification FAILED: the latest checkpoint does not verify' "verify --data, wrong key"

# --- tamper tests, each on a copy of the data directory: verify names the first index at fault
K=$IDX1
# tamper NAME INDEX SQL: applies SQL to a copy of the data directory, expects verify --data to name INDEX.
tamper()
{
	local name=$1 index=$2 sql=$3 dir="$TMP/t-$1"
	rm -rf "$dir"
	cp -a "$TMP/data" "$dir"
	if ! sqlite3 "$dir/forewarn.db" "$sql"; then
		bad "tamper $name: sqlite3 failed"
		return
	fi
	expect 1 "tamper $name: verify --data" log verify --data "$dir"
	err_has "^log verification FAILED at entry $index: " "tamper $name: names entry $index"
}
tamper entry-byte "$K" "UPDATE log_entries
	SET entry = CAST(replace(CAST(entry AS TEXT), 'download', 'dovnload') AS BLOB) WHERE idx = $K"
err_has 'does not match the entries' "tamper entry-byte: the reason"
tamper entry-deleted "$K" "DELETE FROM log_entries WHERE idx = $K"
err_has "entry $K is missing" "tamper entry-deleted: the reason"
tamper entries-swapped "$K" "UPDATE log_entries SET idx = -1 WHERE idx = $K;
	UPDATE log_entries SET idx = $K WHERE idx = $((K + 1));
	UPDATE log_entries SET idx = $((K + 1)) WHERE idx = -1"
# Each entry's row keeps the hashes of the subtrees it is the last leaf of, level 0 (its leaf hash) first.
tamper leaf-hash "$K" "UPDATE log_entries
	SET hashes = CAST(randomblob(32) || substr(hashes, 33) AS BLOB) WHERE idx = $K"
tamper node-hash "$(((K / 4) * 4))" "UPDATE log_entries
	SET hashes = CAST(substr(hashes, 1, 64) || randomblob(32) || substr(hashes, 97) AS BLOB)
	WHERE idx = $(((K / 4) * 4 + 3))"
tamper node-deleted "$K" "UPDATE log_entries SET hashes = x'' WHERE idx = $K"
err_has 'is missing' "tamper node-deleted: the reason"
tamper last-deleted "$((CP_SIZE - 1))" "DELETE FROM log_entries WHERE idx = $((CP_SIZE - 1))"
tamper first-byte 0 "UPDATE log_entries
	SET entry = CAST(replace(CAST(entry AS TEXT), '\"v\":1', '\"v\":2') AS BLOB) WHERE idx = 0"
tamper first-replaced 0 "UPDATE log_entries SET entry = CAST('x' AS BLOB) WHERE idx = 0"
rm -rf "$TMP/t-sig"
cp -a "$TMP/data" "$TMP/t-sig"
sqlite3 "$TMP/t-sig/forewarn.db" "UPDATE checkpoints
	SET note = replace(note, char(10) || '$CP_SIZE' || char(10),
	char(10) || '$((CP_SIZE + 1))' || char(10)) WHERE size = $CP_SIZE"
expect 1 "tamper checkpoint: verify --data" log verify --data "$TMP/t-sig"
err_has '^log verification FAILED: the latest checkpoint does not verify' "tamper checkpoint"

# The same tampering seen remotely, through a server on the tampered directory.
start_server "$TMP/t-entry-byte"
expect 1 "remote verify, an entry changed" log verify "${KEY[@]}" "${ADMIN[@]}"
err_has "^log verification FAILED at entry $K: the entries do not reproduce" "remote verify, an entry changed"
stop_server
start_server "$TMP/t-entry-deleted"
expect 1 "remote verify, an entry deleted" log verify "${KEY[@]}" "${ADMIN[@]}"
err_has "^log verification FAILED at entry $K: the server skipped it" "remote verify, an entry deleted"
stop_server
start_server "$TMP/t-entries-swapped"
expect 1 "remote verify, entries swapped" log verify "${KEY[@]}" "${ADMIN[@]}"
err_has "^log verification FAILED at entry $K: " "remote verify, entries swapped"
stop_server
# A log cut short: the server refuses to sign a tree smaller than one it signed before.
rm -rf "$TMP/t-cut"
cp -a "$TMP/data" "$TMP/t-cut"
sqlite3 "$TMP/t-cut/forewarn.db" "DELETE FROM log_entries WHERE idx >= $((NEW_SIZE - 2))"
start_server "$TMP/t-cut"
expect 1 "log checkpoint of a log cut short" log checkpoint -o "$TMP/cut.checkpoint" "${KEY[@]}" "${ADMIN[@]}"
err_has '409|conflict|not allowed' "log checkpoint of a log cut short"
stop_server
# The same cut short and its checkpoints dropped too: the server signs the smaller tree, and only a
# checkpoint kept from before shows it.
sqlite3 "$TMP/t-cut/forewarn.db" "DELETE FROM checkpoints"
start_server "$TMP/t-cut"
expect 0 "log checkpoint of a log cut short, checkpoints gone" log checkpoint -o "$TMP/cut.checkpoint" \
	"${KEY[@]}" "${ADMIN[@]}"
expect 1 "verify-consistency against a log cut short" log verify-consistency "$TMP/new.checkpoint" \
	"$TMP/cut.checkpoint" "${KEY[@]}" "${ADMIN[@]}"
err_has 'the log was rewritten' "verify-consistency against a log cut short"
stop_server

# --- a rewritten history, re-signed with the log's own key: the record of the partner's download now names
# another copy. It verifies on its own; only a checkpoint from before (OLD) reveals it.
# rewrite DIR INDEX FROM TO: DIR, a copy of the data directory whose log is rebuilt with entry INDEX changed.
rewrite()
{
	rm -rf "$1"
	cp -a "$TMP/data" "$1"
	sqlite3 "$1/forewarn.db" "DELETE FROM log_entries; DELETE FROM checkpoints"
	if "$REWRITE" "$TMP/data" "$1" "$2" "$3" "$4" >"$TMP/out" 2>"$TMP/err"; then ok; else
		bad "log_rewrite $2 $3 $4 failed"
	fi
}
SHA1=$(sha256sum "$TMP/copy1.json" | cut -c1-64)
SHA_BAD=$(sha256sum "$TMP/copy-bad.json" | cut -c1-64)
rewrite "$TMP/rw" "$K" "$SHA1" "$SHA_BAD"
expect 0 "verify --data of the rewritten log passes" log verify --data "$TMP/rw"
out_has "^log verified: $SIZE entries" "verify --data of the rewritten log"
start_server "$TMP/rw"
expect 0 "remote verify of the rewritten log passes" log verify "${KEY[@]}" "${ADMIN[@]}"
expect 0 "log checkpoint NEW2 of the rewritten log" log checkpoint -o "$TMP/new2.checkpoint" "${KEY[@]}" \
	"${PARTNER[@]}"
NEW2_SIZE=$(checkpoint_size "$TMP/new2.checkpoint")
expect 1 "verify-consistency OLD NEW2 (online)" log verify-consistency "$TMP/old.checkpoint" \
	"$TMP/new2.checkpoint" "${KEY[@]}" "${PARTNER[@]}"
msg="the log was rewritten: checkpoint at size $OLD_SIZE is not a prefix of size $NEW2_SIZE"
err_has "^consistency verification FAILED: $msg\$" \
	"verify-consistency OLD NEW2 (online)"
expect 0 "log prove --old --new on the rewritten log" log prove --old "$OLD_SIZE" --new "$NEW2_SIZE" \
	-o "$TMP/proof2.json" "${PARTNER[@]}"
expect 1 "verify-consistency OLD NEW2 --proof (offline)" log verify-consistency "$TMP/old.checkpoint" \
	"$TMP/new2.checkpoint" --proof "$TMP/proof2.json" "${KEY[@]}"
err_has "the log was rewritten: checkpoint at size $OLD_SIZE is not a prefix of size $NEW2_SIZE" \
	"verify-consistency OLD NEW2 --proof"
expect 1 "verify-consistency NEW NEW2" log verify-consistency "$TMP/new.checkpoint" "$TMP/new2.checkpoint" \
	"${KEY[@]}" "${PARTNER[@]}"
err_has 'the log was rewritten' "verify-consistency NEW NEW2"
# The partner's receipt from before still verifies (it is self-contained), but not against the new log.
expect 0 "the old receipt still verifies" log verify-receipt "$TMP/receipt.json" --copy "$TMP/copy1.json" \
	"${KEY[@]}"
expect 0 "the rewritten log's receipt" log receipt --index "$K" -o "$TMP/receipt2.json" "${PARTNER[@]}"
expect 1 "the rewritten log's receipt does not match the copy" log verify-receipt "$TMP/receipt2.json" \
	--copy "$TMP/copy1.json" "${KEY[@]}"
err_has 'is not the one entry' "the rewritten log's receipt does not match the copy"
expect 0 "the rewritten log's receipt names the other copy" log verify-receipt "$TMP/receipt2.json" \
	--copy "$TMP/copy-bad.json" "${KEY[@]}"
stop_server

# A rewritten entry that is no JSON object: the hashes agree, the entry check names it.
rewrite "$TMP/rw-json" 3 '{"actor"' '["actor"'
expect 1 "verify --data, an entry not a JSON object" log verify --data "$TMP/rw-json"
err_has '^log verification FAILED at entry 3: the entry is not a JSON object' "verify --data, not JSON"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
