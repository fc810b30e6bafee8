#!/usr/bin/env bash
# Part of `make bench`: the TUF client side by side with python-tuf's ngclient, in the same run.
# Two repositories built by python-tuf's Metadata API (Tests/interop/tuf_bench.py): 10 000
# targets listed by top-level targets (a 2.5 MB targets.json), and the same 10 000 targets in
# 256 succinct hash-bin delegations. Both served by a real nginx on 127.0.0.1. One run = a fresh
# metadata directory holding only the trusted root, then refresh + lookup of 100 targets:
#   A: alien-install trust info --metadata-dir D --metadata-url URL <100 paths>
#   B: python-tuf ngclient Updater(bootstrap=root).refresh() + get_targetinfo() × 100
# Then the same refresh followed by the download of those 100 targets (100 kB each, checked
# against length and sha256, written under a fresh target directory):
#   A: alien-install trust download ... --target-base-url URL/targets --target-dir T <100 paths>
#   B: ngclient ... + download_target() × 100
# Whole processes, alternating A B A B (scripts/bench_compare.py); results appended to
# .bench/results.jsonl. Usage: scripts/bench_trust.sh [BIN_DIR]   (default .build-release/release)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
BIN=${1:-.build-release/release}
RUNS=${BENCH_RUNS:-10}
WORK=$(mktemp -d /tmp/alien-bench-trust.XXXXXX)
chmod 755 "$WORK"  # nginx workers (nobody, when started as root) must read it
mkdir -p .bench
trap 'kill $(cat "$WORK/nginx.pid" 2>/dev/null) 2>/dev/null || true; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$WORK"' EXIT

echo "bench: building python-tuf repositories (10 000 targets; 256 hash bins)"
"$PY" Tests/interop/tuf_bench.py make-repo --out "$WORK/flat" --targets 10000
"$PY" Tests/interop/tuf_bench.py make-repo --out "$WORK/bins" --targets 10000 --bins 256

. scripts/bench_nginx.sh
bench_nginx "$WORK" "$WORK"

results=.bench/results.jsonl
for repo in flat bins; do
  paths=$(tr '\n' ' ' < "$WORK/$repo/paths.txt")
  ours="sh -c 'rm -rf $WORK/m-a && mkdir $WORK/m-a && cp $WORK/$repo/root.json $WORK/m-a/ && $BIN/alien-install trust info --metadata-dir $WORK/m-a --metadata-url $URL/$repo/metadata $paths'"
  theirs="$PY Tests/interop/tuf_bench.py client --metadata-url $URL/$repo/metadata --root $WORK/$repo/root.json --metadata-dir $WORK/m-b --paths $WORK/$repo/paths.txt"
  # Both must succeed before they are timed.
  eval "$ours" > /dev/null
  $theirs > /dev/null
  if [ "$repo" = flat ]; then label="trust refresh+100 lookups, 10k targets"; else label="trust refresh+100 lookups, 256 bins"; fi
  scripts/bench_compare.py --runs "$RUNS" --label "$label" "$ours" "$theirs" | tee -a "$results"
  # Refresh + download of the 100 targets.
  ours_get="sh -c 'rm -rf $WORK/m-a $WORK/t-a && mkdir $WORK/m-a && cp $WORK/$repo/root.json $WORK/m-a/ && $BIN/alien-install trust download --metadata-dir $WORK/m-a --metadata-url $URL/$repo/metadata --target-base-url $URL/$repo/targets/ --target-dir $WORK/t-a $paths'"
  theirs_get="sh -c 'rm -rf $WORK/t-b && mkdir $WORK/t-b && $PY Tests/interop/tuf_bench.py client --metadata-url $URL/$repo/metadata --root $WORK/$repo/root.json --metadata-dir $WORK/m-b --paths $WORK/$repo/paths.txt --target-dir $WORK/t-b --target-url $URL/$repo/targets/'"
  eval "$ours_get" > /dev/null
  eval "$theirs_get" > /dev/null
  test "$(find "$WORK/t-a" -type f | wc -l)" = 100
  test "$(find "$WORK/t-b" -type f | wc -l)" = 100
  scripts/bench_compare.py --runs "$RUNS" --label "${label/lookups/downloads}" "$ours_get" "$theirs_get" | tee -a "$results"
  # python-tuf in process (no interpreter start, no imports): what a long-lived Python client pays.
  "$PY" - "$label (python in-process)" "$WORK" "$repo" "$URL" <<'PYTHON' | tee -a "$results"
import json, statistics, subprocess, sys
label, work, repo, url = sys.argv[1:5]
times = []
for _ in range(5):
    out = subprocess.run([sys.executable, "Tests/interop/tuf_bench.py", "client", "--metadata-url", f"{url}/{repo}/metadata",
                          "--root", f"{work}/{repo}/root.json", "--metadata-dir", f"{work}/m-b", "--paths", f"{work}/{repo}/paths.txt"],
                         check=True, capture_output=True, text=True).stdout
    times.append(json.loads(out)["seconds"])
print(json.dumps({"label": label, "b_median_s": round(statistics.median(times), 5)}))
PYTHON
done
