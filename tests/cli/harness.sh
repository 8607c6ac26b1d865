# The shared harness of the command-line tests: sourced after FW (the forewarn binary) and TMP are set;
# makes data directories (init_data), starts and stops a server (start_server, stop_server), removes TMP on
# exit, and counts checks in pass and fail.

show_output()
{
	echo "    --- stdout:" >&2
	head -n 15 "$TMP/out" | sed 's/^/    /' >&2
	echo "    --- stderr:" >&2
	head -n 15 "$TMP/err" | sed 's/^/    /' >&2
}

pass=0
fail=0
# The client must take its server and token from each command's options, never from the caller's shell.
unset FOREWARN_TOKEN FOREWARN_URL

# init_data OUT ARGS...: forewarn init ARGS --quiet, its standard output in OUT; the test ends if init fails.
init_data()
{
	local out=$1
	shift
	"$FW" init "$@" --quiet >"$out" 2>"$TMP/init.err" || {
		echo "forewarn init failed:" >&2
		cat "$TMP/init.err" >&2
		exit 1
	}
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

SERVER_PID=
URL=

# stop_server: stops the server started last, and counts a failure if a sanitizer reported in it.
stop_server()
{
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=
		# A sanitizer build reports on the server's standard error.
		if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TMP/serve.err"; then
			fail=$((fail + 1))
			echo "FAIL: the server reported:" >&2
			head -n 30 "$TMP/serve.err" >&2
		fi
	fi
}

# Whatever happens, the server stops and TMP goes.
cleanup()
{
	stop_server
	rm -rf "$TMP"
}
trap cleanup EXIT

# start_server DIR [SERVE_ARGS...]: a server on DIR on a free loopback port, over plain HTTP; sets SERVER_PID,
# URL and FOREWARN_URL. Exits the test if it does not start.
start_server()
{
	# Emptied first: the background shell may open it only after the loop below has read the last
	# server's "listening on" line.
	: >"$TMP/serve.out"
	local dir=$1
	shift
	"$FW" serve --data "$dir" --listen 127.0.0.1:0 --plain-http --quiet "$@" >"$TMP/serve.out" 2>"$TMP/serve.err" &
	SERVER_PID=$!
	URL=
	for _ in $(seq 100); do
		grep -q 'listening on' "$TMP/serve.out" && break
		sleep 0.1
	done
	URL=$(sed -n 's|^forewarn: listening on \(http://[0-9.]*:[0-9]*\)/$|\1|p' "$TMP/serve.out")
	if [ -z "$URL" ]; then
		echo "the server on $dir did not start:" >&2
		cat "$TMP/serve.out" "$TMP/serve.err" >&2
		exit 1
	fi
	export FOREWARN_URL=$URL
}

