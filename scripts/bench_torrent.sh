#!/usr/bin/env bash
# Torrent benchmark (issue 6): one origin, N site nodes, one package.
#   origin: nginx on 127.0.0.1 serving a fresh TUF repository, `limit_rate` per connection
#           (BENCH_TORRENT_RATE, default 4m = 4 MiB/s); every node opens one connection to it
#           (HTTP: the tarball; swarm: the web seed), so the origin's capacity is the same
#           N × rate on both sides.
#   package: BENCH_TORRENT_MB MiB (default 256) of incompressible data, published with a v1
#           torrent (web seed = the origin, tracker = opentracker on 127.0.0.1).
#   A: N (BENCH_TORRENT_PEERS, default 8) separate processes `alien-install install --via torrent
#      --keep-for-seeding`, each followed by `alien-install seed` of its area (what packmand
#      does), all started at once;
#   B: N plain `alien-install install --via http` started at once (streamed, piece-verified).
# Measured in the same run: wall time until the last of the N has the package installed, and
# the bytes the origin served for the tarball (nginx access log, $body_bytes_sent).
# Goal (issue 6, issue 14 at 48 nodes): origin bytes of A <= 1.5 x the package, time of A <= 0.5 x time of B.
# BENCH_TORRENT_TRACKER=dead: the torrent names a tracker nobody listens on (no opentracker):
#   the swarm must decide at once and take the origin alone (goal: A within B's time + 3 s).
#   With BENCH_TORRENT_WEB_SEEDS=off too (install --no-web-seed): nothing can deliver, the swarm
#   must give up at once and the install fall back to HTTP.
# The JSON line also has the load average before and after (2 cores shared with other builds)
# and how many nodes fell back to HTTP.
# Usage: scripts/bench_torrent.sh [BIN_DIR]   (default .build-release/release; build it with
#   swift build -c release --static-swift-stdlib --scratch-path .build-release)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(cd "${1:-.build-release/release}" && pwd)
MB=${BENCH_TORRENT_MB:-256}
PEERS=${BENCH_TORRENT_PEERS:-8}
RATE=${BENCH_TORRENT_RATE:-4m}
ARCH=slc9_x86-64
WORK=$(mktemp -d "${BENCH_TORRENT_DIR:-/dev/shm}/alien-bench-torrent.XXXXXX")
chmod 755 "$WORK"
mkdir -p .bench
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  kill "$(cat "$WORK/nginx.pid" 2>/dev/null)" 2>/dev/null || true
  [ -n "${BENCH_KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }

echo "bench: a $MB MiB package in $WORK"
prefix="$WORK/tree/$ARCH/BenchTorrent/v1-1"
mkdir -p "$prefix/share" "$prefix/etc/profile.d"
head -c "$((MB << 20))" /dev/urandom > "$prefix/share/blob.bin"
cat > "$prefix/.meta.json" <<JSON
{"alien_install_version": "0.1.0", "architecture": "$ARCH", "defaults": "release",
 "dependencies": {"direct": {"build": [], "runtime": []}, "recursive": {"build": [], "runtime": []}},
 "package": {"hash": "$(printf 'c%.0s' $(seq 40))", "name": "BenchTorrent", "revision": "1", "source": null, "tag": "v1", "version": "v1"}}
JSON
echo 'export BENCHTORRENT_VERSION=v1' > "$prefix/etc/profile.d/init.sh"
TARBALL="$WORK/BenchTorrent-v1-1.$ARCH.tar.gz"
tar -C "$WORK/tree" -cf - "$ARCH" | gzip -1 > "$TARBALL"
rm -rf "$WORK/tree"
SIZE=$(stat -c %s "$TARBALL")

# The origin: nginx with an access log of bytes sent, rate-limited per connection.
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
mkdir -p "$WORK/tmp" "$WORK/repo"
cat > "$WORK/nginx.conf" <<NGINX
daemon on;
pid $WORK/nginx.pid;
error_log $WORK/error.log;
worker_processes 1;
events { worker_connections 1024; }
http {
    log_format served '\$request_uri \$status \$body_bytes_sent \$msec \$connection \$http_range';
    access_log $WORK/access.log served;
    sendfile on;
    client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp; fastcgi_temp_path $WORK/tmp;
    uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;
    # A small send buffer: otherwise loopback autotuning lets a few MiB of each response out at once, past limit_rate.
    server { listen 127.0.0.1:$PORT sndbuf=64k; root $WORK/repo; location /targets/ { limit_rate $RATE; } }
}
NGINX
/usr/sbin/nginx -c "$WORK/nginx.conf" -p "$WORK"

echo "bench: publishing with a v1 torrent (web seed $URL, opentracker)"
TRACKER_PORT=$(free_port)
TRACKER_MODE=${BENCH_TORRENT_TRACKER:-opentracker}
NO_WEB_SEED=()
if [ "${BENCH_TORRENT_WEB_SEEDS:-on}" = off ]; then NO_WEB_SEED=(--no-web-seed); fi
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
for role in root targets snapshot timestamp; do "$BIN/alien-install" keys generate $role --dir "$WORK/keys" > /dev/null; done
"$BIN/alien-install" repo init "$WORK/repo" --root-key "$WORK/keys/root.key" --targets-key "$WORK/keys/targets.key" \
  --snapshot-key "$WORK/keys/snapshot.key" --timestamp-key "$WORK/keys/timestamp.key" > /dev/null
"$BIN/alien-install" publish --repo "$WORK/repo" --keys-dir "$WORK/keys" --web-seed-base "$URL" \
  --tracker "http://127.0.0.1:$TRACKER_PORT/announce" "$TARBALL" > /dev/null   # dead mode: nobody listens there
rm -f "$TARBALL"
chmod -R a+rX "$WORK/repo"
INFOHASH=$("$BIN/alien-install" repo list "$WORK/repo" --infohashes)
mkdir -p "$WORK/tracker"
chmod 755 "$WORK/tracker"
echo "$INFOHASH" > "$WORK/tracker/whitelist"
chmod 644 "$WORK/tracker/whitelist"
TRACKER=(/usr/bin/opentracker -i 127.0.0.1 -p "$TRACKER_PORT" -P "$TRACKER_PORT" -d "$WORK/tracker" -w whitelist)
if [ "$(id -u)" = 0 ]; then TRACKER=(setpriv --reuid=nobody --regid=nogroup --clear-groups "${TRACKER[@]}"); fi
if [ "$TRACKER_MODE" != dead ]; then
  "${TRACKER[@]}" > "$WORK/tracker.log" 2>&1 &
  PIDS+=($!)
fi
ROOT_JSON="$WORK/repo/metadata/1.root.json"

served() {  # bytes of the tarball served by the origin since access-log line $1
  tail -n +"$(( $1 + 1 ))" "$WORK/access.log" | awk '$1 ~ /\.tar\.gz$/ { sum += $3 } END { printf "%.0f\n", sum }'
}
lines() { wc -l < "$WORK/access.log"; }

echo "bench: A — $PEERS swarm nodes (install --via torrent, then seed), origin $RATE/s per connection"
start_lines=$(lines)
start=$(now)
echo "$start" > "$WORK/a.start"
install_pids=()
for i in $(seq 1 "$PEERS"); do
  port=$(free_port)
  (
    "$BIN/alien-install" install BenchTorrent --area "$WORK/t$i" --arch "$ARCH" --repo "$URL" --root "$ROOT_JSON" \
      --via torrent --keep-for-seeding --listen "127.0.0.1:$port" --stall-timeout 120 "${NO_WEB_SEED[@]}" > "$WORK/t$i.log" 2>&1
    date +%s.%N > "$WORK/t$i.done"
    exec "$BIN/alien-install" seed --area "$WORK/t$i" --arch "$ARCH" --listen "127.0.0.1:$port" > "$WORK/t$i.seed.log" 2>&1
  ) &
  PIDS+=($!)
  install_pids+=($!)
done
for i in $(seq 1 "$PEERS"); do
  while [ ! -f "$WORK/t$i.done" ]; do sleep 0.1; done
done
end=$(now)
A_TIME=$(awk "BEGIN { print $end - $start }")
A_BYTES=$(served "$start_lines")
FALLBACKS=0
for i in $(seq 1 "$PEERS"); do
  grep -q '"installed\|installed in' "$WORK/t$i.log" || { echo "node $i failed:"; cat "$WORK/t$i.log"; exit 1; }
  if grep -q 'falling back' "$WORK/t$i.log"; then echo "note: node $i fell back to HTTP: $(grep 'falling back' "$WORK/t$i.log" | head -1)"; FALLBACKS=$((FALLBACKS + 1)); fi
done
for pid in "${install_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
for pid in "${install_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
rm -rf "$WORK"/t*/

echo "bench: B — $PEERS plain HTTP installs"
start_lines=$(lines)
start=$(now)
http_pids=()
for i in $(seq 1 "$PEERS"); do
  "$BIN/alien-install" install BenchTorrent --area "$WORK/h$i" --arch "$ARCH" --repo "$URL" --root "$ROOT_JSON" --via http \
    > "$WORK/h$i.log" 2>&1 &
  http_pids+=($!)
done
for pid in "${http_pids[@]}"; do wait "$pid" || { echo "an HTTP install failed"; cat "$WORK"/h*.log; exit 1; }; done
end=$(now)
B_TIME=$(awk "BEGIN { print $end - $start }")
B_BYTES=$(served "$start_lines")

LOAD_AFTER=$(cut -d' ' -f1 /proc/loadavg)
/usr/bin/python3 - "$MB" "$SIZE" "$PEERS" "$RATE" "$A_TIME" "$A_BYTES" "$B_TIME" "$B_BYTES" "$TRACKER_MODE" "$FALLBACKS" \
  "$LOAD_BEFORE" "$LOAD_AFTER" "${BENCH_TORRENT_WEB_SEEDS:-on}" <<'PYTHON' | tee -a .bench/results.jsonl
import json, sys
mb, size, peers, rate, a_time, a_bytes, b_time, b_bytes, tracker, fallbacks, load_before, load_after, _ = sys.argv[1:]
size, a_bytes, b_bytes = int(size), int(a_bytes), int(b_bytes)
a_time, b_time = float(a_time), float(b_time)
dead = " (dead tracker)" if tracker == "dead" else ""
if sys.argv[-1] == "off": dead += " (no web seed)"
print(json.dumps({"label": f"{peers} nodes, {mb} MiB package, origin {rate}/s per connection{dead}",
                  "fallbacks": int(fallbacks), "load_before": float(load_before), "load_after": float(load_after),
                  "swarm_s": round(a_time, 1), "http_s": round(b_time, 1), "time_ratio_swarm_over_http": round(a_time / b_time, 2),
                  "swarm_origin_bytes": a_bytes, "http_origin_bytes": b_bytes,
                  "swarm_origin_x_package": round(a_bytes / size, 2), "http_origin_x_package": round(b_bytes / size, 2)}))
PYTHON
