#!/usr/bin/env bash
# Configures and builds Forewarn into build/ (or the directory given), with extra CMake options after it.
# The compiler's output goes to BUILD_DIR/build.log and is shown only when the build fails.
# Usage: scripts/build.sh [BUILD_DIR] [CMAKE_OPTION...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/build}
shift || true
mkdir -p "$dir"
echo "build: $dir"
if ! { cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" &&
       cmake --build "$dir" -j"$(nproc)"; } > "$dir/build.log" 2>&1; then
  tail -n 60 "$dir/build.log"
  echo "build: failed (whole log in $dir/build.log)" >&2
  exit 1
fi
