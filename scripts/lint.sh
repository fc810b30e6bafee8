#!/usr/bin/env bash
# The formatter's check: every Swift file of the project exactly as `swift format` (shipped with
# the Swift toolchain) writes it under .swift-format. `make test` runs it first.
#   scripts/lint.sh         check; names each file and line that differs, exit 1
#   scripts/lint.sh --fix   rewrite the files in place
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
paths=(Package.swift Sources Tests)
if ! "$SWIFT" format --version >/dev/null 2>&1; then
  echo "lint: '$SWIFT format' is missing (swift-format ships with Swift 6 toolchains)" >&2
  exit 1
fi
if [ "${1:-}" = --fix ]; then
  exec "$SWIFT" format format --in-place --recursive --parallel "${paths[@]}"
fi
if ! "$SWIFT" format lint --strict --recursive --parallel "${paths[@]}"; then
  echo "lint: the files above differ from what swift format writes; scripts/lint.sh --fix rewrites them" >&2
  exit 1
fi
echo "lint: every Swift file as swift format writes it"
