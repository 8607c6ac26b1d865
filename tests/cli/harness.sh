# The shared harness of the command-line tests: sourced after FW (the forewarn binary) and TMP are set;
# counts checks in pass and fail.

show_output()
{
	echo "    --- stdout:" >&2
	head -n 15 "$TMP/out" | sed 's/^/    /' >&2
	echo "    --- stderr:" >&2
	head -n 15 "$TMP/err" | sed 's/^/    /' >&2
}

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; show_output; }

# run ARGS...: runs forewarn; stdout in $TMP/out, stderr in $TMP/err, exit status in $rc.
run() { "$FW" "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?; }

# expect STATUS WHAT ARGS...: runs forewarn and checks its exit status.
expect()
{
	local want=$1 what=$2
	shift 2
	run "$@"
	if [ "$rc" = "$want" ]; then ok; else bad "$what: exit status $rc, expected $want"; fi
}

# out_has / err_has / out_lacks REGEX WHAT: checks the last run's output (grep -E).
out_has() { if grep -qE -- "$1" "$TMP/out"; then ok; else bad "$2: standard output lacks /$1/"; fi; }
err_has() { if grep -qE -- "$1" "$TMP/err"; then ok; else bad "$2: standard error lacks /$1/"; fi; }
out_lacks() { if grep -qE -- "$1" "$TMP/out"; then bad "$2: standard output has /$1/"; else ok; fi; }
