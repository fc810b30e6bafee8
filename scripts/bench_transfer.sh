#!/usr/bin/env bash
# A 1 GiB file served by nginx on 127.0.0.1 (from /dev/shm): `curl -o` vs the Transfers engine
# (transfer-bench file), and the engine with piece-by-piece sha256 verification (transfer-bench
# verify: every 1 MiB piece hashed and checked, whole-file sha256 at the end). Alternating runs,
# medians, ratios. Part of `make bench`.
# Usage: scripts/bench_transfer.sh [BIN_DIR]   (default .build-release/release; needs transfer-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build-release/release}
RUNS=${BENCH_RUNS:-5}
SIZE_MB=${BENCH_SIZE_MB:-1024}
BASE=/dev/shm; [ -d "$BASE" ] || BASE=/tmp
WORK=$(mktemp -d "$BASE/alien-bench-transfer.XXXXXX")
chmod 755 "$WORK"
trap 'kill $(cat "$WORK/nginx.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$WORK"' EXIT

head -c $((SIZE_MB << 20)) /dev/urandom > "$WORK/big.bin"
"$BIN/transfer-bench" pieces "$WORK/big.bin" "$WORK/big.bin.pieces" > /dev/null
. scripts/bench_nginx.sh
bench_nginx "$WORK" "$WORK"
URL=$URL/big.bin

now() { date +%s.%N; }
declare -a CURL ENGINE VERIFY
for run in $(seq "$RUNS"); do
  rm -f "$WORK/out.curl" "$WORK/out.engine"
  t0=$(now); curl -s -o "$WORK/out.curl" "$URL"; t1=$(now)
  CURL+=("$(echo "$t1 - $t0" | bc)")
  rm -f "$WORK/out.curl"
  t0=$(now); "$BIN/transfer-bench" file "$URL" "$WORK/out.engine" > /dev/null; t1=$(now)
  ENGINE+=("$(echo "$t1 - $t0" | bc)")
  cmp -s "$WORK/out.engine" "$WORK/big.bin" || { echo "engine download differs" >&2; exit 1; }
  rm -f "$WORK/out.engine"
  t0=$(now); "$BIN/transfer-bench" verify "$URL" "$WORK/big.bin.pieces" > /dev/null; t1=$(now)
  VERIFY+=("$(echo "$t1 - $t0" | bc)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
c=$(median "${CURL[@]}"); e=$(median "${ENGINE[@]}"); v=$(median "${VERIFY[@]}")
printf '{"label": "download %s MiB from nginx on loopback", "curl_o_s": %s, "engine_file_s": %s, "engine_verified_pieces_s": %s, "engine_vs_curl": %.2f, "verified_vs_curl": %.2f, "runs": %s}\n' \
  "$SIZE_MB" "$c" "$e" "$v" "$(echo "$e / $c" | bc -l)" "$(echo "$v / $c" | bc -l)" "$RUNS"
