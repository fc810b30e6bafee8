#!/usr/bin/env bash
# `make demo`: the main job end to end, as far as it exists today. All state under .demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO=.demo
mkdir -p "$DEMO"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Building alien-install"
swift build -c debug 2>&1 | tail -1
BIN=$(swift build -c debug --show-bin-path)/alien-install
ARCH=slc9_x86-64

step "Resolving AliRoot with defaults 'release' for $ARCH (offline: no git, no network)"
"$BIN" resolve AliRoot --defaults release --arch "$ARCH" --config-dir recipes
"$BIN" resolve AliRoot --defaults release --arch "$ARCH" --config-dir recipes --format json > "$DEMO/plan-release.json"
echo "(plan saved to $DEMO/plan-release.json)"

step "The same with defaults 'root6next', and what changed each package's hash"
"$BIN" resolve AliRoot --defaults root6next --arch "$ARCH" --config-dir recipes \
  --diff "$DEMO/plan-release.json" | head -40

step "Every input of AliEn-Runtime's hash (why does it rebuild?)"
"$BIN" resolve AliEn-Runtime --arch "$ARCH" --config-dir recipes --explain AliEn-Runtime

step "aliDoctor's check of this machine for ROOT (runs the recipes' system checks)"
set +e
"$BIN" doctor ROOT --config-dir recipes
status=$?
set -e
echo "(doctor exit status $status: 0 all well, 1 missing system requirements)"

step "Done"
cat <<TXT
What exists today: recipes → resolution with aliBuild-identical versions and hashes,
explanations, diffs, and the system doctor. Still to come, in this order: build into
tarballs, publish to a signed repository, serve it, install through packmand, run a
program from the installed package. State of this demo: $DEMO/
TXT
