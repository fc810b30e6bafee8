#!/usr/bin/env bash
# `make bench`: resolution benchmarks, each side by side with aliBuild 1.17.48 in the same run.
#  1. whole CLI against `aliBuild deps --no-system` (which runs the recipes' system_requirement
#     checks with bash and computes neither versions nor hashes): our `resolve --no-system`
#     (the same checks: equal work), and our offline default `resolve` (no check runs: what a
#     release manager waits for);
#  2. in process: our Resolver vs aliBuild's getPackageList + storeHashes (no check runs on
#     either side: `--assume-system`), recipes re-read on every repetition.
# On recipes/ (AliRoot) and on a generated 300-recipe stack (~100 packages in the closure);
# with BENCH_ALIDIST=<alidist checkout>, also O2 on it (scripts/bench_alidist.sh).
# Results: printed, and appended as JSON lines to .bench/results.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
BUILD=.build-release
RUNS=${BENCH_RUNS:-10}
mkdir -p .bench
echo "bench: building release binaries (static Swift runtime, as installed)"
swift build -c release --static-swift-stdlib --scratch-path "$BUILD" 2>&1 | tail -1
BIN=$BUILD/release

"$PY" Tests/interop/gen_recipes.py --seed 7 --shape stack --packages 300 --out .bench/stack >/dev/null
read -r STACK_TARGET STACK_DEFAULTS STACK_ARCH < <("$PY" -c '
import json; c = json.load(open(".bench/stack/case.json")); print(c["targets"][0], c["defaults"], c["arch"])')

results=.bench/results.jsonl
: > "$results"
run_cli() {  # label config-dir target defaults arch [our extra flags]
  scripts/bench_compare.py --runs "$RUNS" --label "cli $1" \
    "$BIN/alien-install resolve $3 --defaults $4 --arch $5 -c $2 ${6:-} --format dot --recipes-branch master" \
    ".venv/bin/aliBuild deps $3 --defaults $4 -a $5 -c $2 --no-system" | tee -a "$results"
}
run_inprocess() {  # label config-dir target defaults arch
  ours=$("$BIN/resolver-bench" --config-dir "$2" --defaults "$4" --arch "$5" --repeat 30 "$3")
  theirs=$("$PY" Tests/interop/alibuild_bench.py --config-dir "$2" --defaults "$4" --arch "$5" \
           --assume-system --repeat 30 --warmup 2 "$3")
  "$PY" - "$1" "$ours" "$theirs" <<'PYTHON' | tee -a "$results"
import json, sys
label, ours, theirs = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
assert theirs.get("error") is None, theirs["error"]
print(json.dumps({"label": "in-process " + label, "packages": ours["packages"],
                  "a_median_s": round(ours["median_s"], 5), "b_median_s": round(theirs["median_seconds"], 5),
                  "ratio_b_over_a": round(theirs["median_seconds"] / ours["median_s"], 1),
                  "a_peak_mb": round(ours["peak_rss_mb"], 1), "b_peak_mb": round(theirs["peak_rss_bytes"] / 2**20, 1)}))
PYTHON
}

run_cli "recipes/ AliRoot, checks" recipes AliRoot release slc7_x86-64 --no-system
run_cli "recipes/ AliRoot, offline" recipes AliRoot release slc7_x86-64
run_cli "stack-300, checks" .bench/stack "$STACK_TARGET" "$STACK_DEFAULTS" "$STACK_ARCH" --no-system
run_cli "stack-300, offline" .bench/stack "$STACK_TARGET" "$STACK_DEFAULTS" "$STACK_ARCH"
run_inprocess "recipes/ AliRoot" recipes AliRoot release slc7_x86-64
run_inprocess "stack-300" .bench/stack "$STACK_TARGET" "$STACK_DEFAULTS" "$STACK_ARCH"
# O2 on a real alidist (issue 17): only where one is given, CI has none (no network).
if [ -n "${BENCH_ALIDIST:-}" ]; then
  scripts/bench_alidist.sh "$BIN" "$BENCH_ALIDIST"
else
  echo "bench: real-alidist O2 case skipped (set BENCH_ALIDIST=<alidist checkout>)"
fi

echo
echo "A = alien-install, B = aliBuild 1.17.48; times are medians; ratio = B / A (higher is better)"
"$PY" - "$results" <<'PYTHON'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print("%-32s %12s %12s %8s %10s %10s" % ("benchmark", "ours", "aliBuild", "ratio", "ours MB", "aliBuild MB"))
for r in rows:
    print("%-32s %10.2fms %10.2fms %7.1fx %10.1f %10.1f" % (r["label"], r["a_median_s"] * 1e3, r["b_median_s"] * 1e3,
          r["ratio_b_over_a"], r["a_peak_mb"], r["b_peak_mb"]))
PYTHON

# JDL parsing throughput (no anchor: AliEn's parser is Perl inside a service).
echo
echo "JDL parsing, 10 000 generated JDLs (best of 5):"
swift build -c release --static-swift-stdlib --scratch-path "$BUILD" --product jdl-bench 2>&1 | tail -1
"$BUILD/release/jdl-bench" --count 10000 --repeat 5 | tee -a "$results"

# TUF: our client against python-tuf's ngclient (refresh + 100 lookups; 10 000 targets and
# 256 hash bins), then publishing 1 000 tarballs in one call (no anchor: python-tuf has no
# publisher command; the number is ours alone).
echo
echo "TUF client, side by side with python-tuf 7.0.1 (A = alien-install trust info, B = ngclient):"
scripts/bench_trust.sh "$BIN"
echo
echo "Publishing 1 000 tarballs in one call (fsync on, as the CLI does):"
"$BIN/publish-bench" --count 1000 --sync --work .bench/publish | tee -a "$results"

# A site's everyday commands on a 100-package closure.
echo
echo "Software area, 100-package closure (no-op install; env vs bash sourcing init.sh):"
scripts/bench_area.sh "$BIN"

# Closures: 100 and 200 packages (O2's size) into a fresh area against a sequential
# curl | tar loop, then a 20-package closure whose torrents name a dead tracker (auto vs http).
echo
echo "Closure installs, side by side with sequential curl | tar -xz (nginx on loopback, disk):"
scripts/bench_closure.sh "$BIN"

# Installs: a 1 GiB package (gzip and zstd) through nginx against curl + sha256sum + tar.
echo
echo "Installs, side by side with curl + sha256sum + tar (1 GiB package from nginx on loopback):"
scripts/bench_install.sh "$BIN"

# Transfers: a 1 GiB download through the libcurl multi engine (plain, and with piece-by-piece
# verification) against `curl -o`.
echo
echo "Downloads, side by side with curl (1 GiB from nginx on loopback):"
scripts/bench_transfer.sh "$BIN"

# BitTorrent: 8 site nodes installing one 256 MiB package through a swarm (web seed + peers +
# opentracker) against 8 plain HTTP installs from the same rate-limited origin.
echo
echo "Torrents, side by side with plain HTTP (8 nodes, 256 MiB, origin rate-limited):"
scripts/bench_torrent.sh "$BIN"
# packmand: wrk on reads against the CLI's answer, 1 000 concurrent installs of one package.
echo
echo "packmand (wrk on GET /v1/installed and /v1/env; 1 000 concurrent POST /v1/install):"
swift build -c release --static-swift-stdlib --scratch-path "$BUILD" --product packmand 2>&1 | tail -1
scripts/bench_packmand.sh "$BIN"

# Tarballs: our pack/extract against GNU tar on a ~500 MB, ~50 000-file tree.
if [ "${BENCH_SKIP_TARBALLS:-0}" != 1 ]; then
  echo
  scripts/bench_tarballs.sh
fi
