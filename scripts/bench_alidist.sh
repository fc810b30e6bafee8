#!/usr/bin/env bash
# Resolution of O2 on a real alidist tree, against aliBuild 1.17.48 (issue 17).
#
#   scripts/bench_alidist.sh BIN ALIDIST
#
# BIN is a directory holding release `alien-install` and `resolver-bench`; ALIDIST an alidist
# work tree (e.g. `git --git-dir=<mirror> archive <commit> | tar -x -C dir`). Two lines of JSON
# (also appended to .bench/results.jsonl):
#  1. whole CLI: `alien-install resolve O2 --format hashes` against the unmodified
#     `aliBuild build O2 --dry-run`, with `git` faked on PATH (a script that exits 0 and makes
#     a clone's directory: no clone or ls-remote reaches a network), `--no-system` and the system_requirement
#     packages disabled (what aliBuild does with a requirement that its check finds: no check
#     runs, as in our offline default);
#  2. in process: resolver-bench (our Resolver, recipes in memory) against alibuild_bench.py
#     (aliBuild's own resolution code, recipes re-read), both taking requirements as present.
# Environment: TARGET (O2), DEFAULTS (o2), ARCH (slc9_x86-64), BENCH_RUNS (10).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 64; }
BIN=$1 ALIDIST=$(cd "$2" && pwd)
PY=.venv/bin/python
TARGET=${TARGET:-O2} DEFAULTS=${DEFAULTS:-o2} ARCH=${ARCH:-slc9_x86-64} RUNS=${BENCH_RUNS:-10}
mkdir -p .bench/fakegit .bench/alibuild-work
results=.bench/results.jsonl

# git answers nothing and succeeds; a clone makes its destination, so that from the warm-up
# run on aliBuild finds its mirrors (as a user's second run does) and only runs ls-remote.
cat > .bench/fakegit/git <<'GIT'
#!/bin/sh
if [ "$1" = clone ]; then for a in "$@"; do case $a in */MIRROR/*) mkdir -p "$a" ;; esac; done; fi
exit 0
GIT
chmod +x .bench/fakegit/git
# The packages whose system_requirement matches every architecture, as `--disable` wants them.
requirements=$(cd "$ALIDIST" && for f in $(grep -l '^system_requirement: *"\.\*"' ./*.sh); do
  sed -n 's/^package: *//p' "$f" | head -n1; done | paste -sd, -)

scripts/bench_compare.py --runs "$RUNS" --label "cli alidist $TARGET $ARCH" \
  "$BIN/alien-install resolve $TARGET --defaults $DEFAULTS --arch $ARCH -c $ALIDIST --format hashes --recipes-branch master" \
  "env PATH=$PWD/.bench/fakegit:$PATH $PWD/.venv/bin/aliBuild build $TARGET --dry-run --defaults $DEFAULTS -a $ARCH -c $ALIDIST -w $PWD/.bench/alibuild-work --no-system --disable $requirements" \
  | tee -a "$results"

ours=$("$BIN/resolver-bench" --config-dir "$ALIDIST" --defaults "$DEFAULTS" --arch "$ARCH" --repeat 30 "$TARGET")
theirs=$("$PY" Tests/interop/alibuild_bench.py --config-dir "$ALIDIST" --defaults "$DEFAULTS" --arch "$ARCH" \
         --no-system --assume-requirements --repeat 30 --warmup 2 "$TARGET")
"$PY" - "$TARGET $ARCH" "$ours" "$theirs" <<'PYTHON' | tee -a "$results"
import json, sys
label, ours, theirs = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
assert theirs.get("error") is None, theirs["error"]
print(json.dumps({"label": "in-process alidist " + label, "packages": ours["packages"],
                  "b_packages": theirs["packages"],
                  "a_median_s": round(ours["median_s"], 5), "b_median_s": round(theirs["median_seconds"], 5),
                  "ratio_b_over_a": round(theirs["median_seconds"] / ours["median_s"], 1),
                  "a_peak_mb": round(ours["peak_rss_mb"], 1), "b_peak_mb": round(theirs["peak_rss_bytes"] / 2**20, 1)}))
PYTHON
