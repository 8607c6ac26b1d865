#!/usr/bin/env bash
# Configures and builds Forewarn into build/ (or the directory given), with extra CMake options after it.
# Usage: scripts/build.sh [BUILD_DIR] [CMAKE_OPTION...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/build}
shift || true
cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)"
