#!/usr/bin/env bash
# Part of `make demo`: worker nodes of one site installing through a BitTorrent swarm.
# Usage: scripts/demo_swarm.sh BIN DEMO_DIR REPO_URL ARCH   (the demo's repository, keys in DEMO_DIR/keys,
#   published from DEMO_DIR/work, served at REPO_URL). Everything it starts is stopped on exit.
set -euo pipefail
BIN=$1 DEMO=$2 REPO_URL=$3 ARCH=$4
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

step "Torrents: publishing GridDemo again with signed .torrent targets (web seed: the repository; tracker: opentracker)"
TRACKER_PORT=$(free_port)
"$BIN" publish --repo "$DEMO/repo" --work-dir "$DEMO/work" --arch "$ARCH" GridDemo --keys-dir "$DEMO/keys" \
  --web-seed-base "$REPO_URL" --tracker "http://127.0.0.1:$TRACKER_PORT/announce"
TRACKER_DIR=$(mktemp -d /tmp/alien-demo-tracker.XXXXXX)
chmod 755 "$TRACKER_DIR"
"$BIN" repo list "$DEMO/repo" --infohashes > "$TRACKER_DIR/whitelist"
chmod 644 "$TRACKER_DIR/whitelist"
echo "tracker whitelist: $(wc -l < "$TRACKER_DIR/whitelist") info-hash(es) from the signed metadata"
TRACKER=(/usr/bin/opentracker -i 127.0.0.1 -p "$TRACKER_PORT" -P "$TRACKER_PORT" -d "$TRACKER_DIR" -w whitelist)
if [ "$(id -u)" = 0 ]; then TRACKER=(setpriv --reuid=nobody --regid=nogroup --clear-groups "${TRACKER[@]}"); fi
"${TRACKER[@]}" > "$DEMO/tracker.log" 2>&1 &
PIDS+=($!)
trap 'cleanup; rm -rf "$TRACKER_DIR"' EXIT

step "Worker node 1 installs through the swarm (nobody has it yet: the repository is the web seed) and keeps it for seeding"
rm -rf "$DEMO/worker1" "$DEMO/worker2"
"$BIN" install GridDemo --area "$DEMO/worker1" --repo "$REPO_URL" --root "$DEMO/repo/metadata/1.root.json" --arch "$ARCH" \
  --via torrent --keep-for-seeding --listen 127.0.0.1:0
SEED_PORT=$(free_port)
"$BIN" seed --area "$DEMO/worker1" --listen "127.0.0.1:$SEED_PORT" > "$DEMO/seed.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q 'seeding' "$DEMO/seed.log" 2>/dev/null && break; sleep 0.1; done
cat "$DEMO/seed.log"

step "Worker node 2 installs from worker node 1 alone (found through the tracker; --no-web-seed keeps the repository out)"
"$BIN" install GridDemo --area "$DEMO/worker2" --repo "$REPO_URL" --root "$DEMO/repo/metadata/1.root.json" --arch "$ARCH" \
  --no-web-seed --listen 127.0.0.1:0
"$BIN" run GridDemo --area "$DEMO/worker2" -- hello-grid worker-node-2
kill -TERM "${PIDS[-1]}"
wait "${PIDS[-1]}" || true
cat "$DEMO/seed.log"
