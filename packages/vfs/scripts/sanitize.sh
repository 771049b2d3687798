#!/usr/bin/env bash
# Builds the addon with AddressSanitizer and UndefinedBehaviorSanitizer (build/Debug) and runs
# the vfs test suites against it. Node itself leaks at exit, hence detect_leaks=0.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(cd ../.. && pwd)"
export npm_config_nodedir="${npm_config_nodedir:-$(node -p "require('path').resolve(process.execPath, '../..')")}"

node-gyp configure >/dev/null
node-gyp build --debug
asan="$(gcc -print-file-name=libasan.so)"
ubsan="$(gcc -print-file-name=libubsan.so)"

cd "$root"
WALRAFT_NATIVE_DEBUG=1 \
  LD_PRELOAD="$asan $ubsan" \
  ASAN_OPTIONS="detect_leaks=0:abort_on_error=1" \
  UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
  node scripts/run-jest.js --selectProjects vfs "$@"
