#!/usr/bin/env bash
# The second command of the README: installs what is missing, builds, and runs the whole test suite twice:
# a normal build, and an AddressSanitizer + UndefinedBehaviorSanitizer build; a Release build must compile.
# Usage: scripts/test.sh [--no-sanitize]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh" --test
"$top/scripts/build.sh" "$top/build"
(cd "$top/build" && ctest --output-on-failure -j2)
# The optimised build compiles too: -O3 finds warnings (errors here) that -O2 does not.
"$top/scripts/build.sh" "$top/build-release" -DCMAKE_BUILD_TYPE=Release
if [ "${1:-}" != "--no-sanitize" ]; then
  "$top/scripts/build.sh" "$top/build-asan" -DFW_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  (cd "$top/build-asan" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j2)
fi
