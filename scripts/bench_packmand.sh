#!/usr/bin/env bash
# Part of `make bench`: packmand on 2 cores, each figure next to its anchor.
#  1. wrk against GET /v1/installed and GET /v1/env (TCP, loopback, 100-package area) —
#     anchor: the same answer from the CLI (`alien-install list --installed --json`,
#     `alien-install env`), one process a request, as a job agent without the daemon pays;
#  2. 1 000 concurrent POST /v1/install?wait of one 64 MiB package into an empty area: one
#     download (nginx access log), the time until all 1 000 are answered — anchor: one
#     `alien-install install` of the same package into another empty area;
#  3. 200 concurrent jobs asking for overlapping 100-package closures (random tops of a chain):
#     each tarball downloaded once (nginx access log), the wall time until all are answered.
# Usage: scripts/bench_packmand.sh [BIN_DIR]   (default .build-release/release)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build-release/release}
ARCH=slc9_x86-64
WORK=$(mktemp -d /tmp/alien-bench-packmand.XXXXXX)
PACKMAND_PID=
cleanup() {
  if [ -n "$PACKMAND_PID" ]; then kill "$PACKMAND_PID" 2>/dev/null; wait "$PACKMAND_PID" 2>/dev/null || true; fi
  if [ -f "$WORK/nginx/nginx.pid" ]; then kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p .bench "$WORK/tarballs"
chmod 755 "$WORK"   # nginx workers run as nobody when started by root
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# 100 chained small packages (pkg000..pkg099) and one big one (Big, 64 MiB of random bytes).
/usr/bin/python3 - "$WORK/tarballs" "$ARCH" <<'PYTHON'
import io, json, os, sys, tarfile
out, arch = sys.argv[1], sys.argv[2]
def info(name, i):
    return {"name": name, "tag": "v1", "source": None, "version": "v1", "revision": "1", "hash": "%040x" % (i + 1)}
def write(name, i, runtime, extra):
    prefix = "%s/%s/v1-1" % (arch, name)
    meta = {"alien_install_version": "0.1.0", "architecture": arch, "defaults": "release", "package": info(name, i),
            "dependencies": {"direct": {"build": [], "runtime": runtime[-1:]}, "recursive": {"build": [], "runtime": runtime}}}
    big = name.upper()
    # aliBuild's generated init.sh grammar (what the environment is read from without running it).
    init = ': "${ALIBUILD_ARCH_PREFIX:=%s}"\n' % arch
    if runtime:
        dep = runtime[-1]["name"]
        init += '[ -n "${%s_REVISION}" ] || . "$WORK_DIR/$ALIBUILD_ARCH_PREFIX"/%s/v1-1/etc/profile.d/init.sh\n' % (dep.upper(), dep)
    init += ('export %s_ROOT="$WORK_DIR/$ALIBUILD_ARCH_PREFIX"/%s/v1-1\nexport RECC_PREFIX_MAP="$%s_ROOT=/recc/%s_ROOT:$RECC_PREFIX_MAP"\n'
             'export %s_VERSION=v1\nexport %s_REVISION=1\nexport %s_HASH=%040x\nexport %s_COMMIT=v1\n'
             'export PATH="$%s_ROOT/bin${PATH+:$PATH}"\nexport LD_LIBRARY_PATH="$%s_ROOT/lib${LD_LIBRARY_PATH+:$LD_LIBRARY_PATH}"\n'
             % (big, name, big, big, big, big, big, i + 1, big, big, big))
    files = {prefix + "/.meta.json": json.dumps(meta, indent=2, sort_keys=True).encode() + b"\n",
             prefix + "/etc/profile.d/init.sh": init.encode(), prefix + "/bin/%s-hello" % name: b"#!/bin/sh\necho hi\n"}
    files.update(extra(prefix))
    with tarfile.open(os.path.join(out, "%s-v1-1.%s.tar.gz" % (name, arch)), "w:gz", compresslevel=1) as tar:
        for path, data in sorted(files.items()):
            entry = tarfile.TarInfo(path)
            entry.size = len(data)
            entry.mode = 0o755 if "/bin/" in path else 0o644
            tar.addfile(entry, io.BytesIO(data))
for i in range(100):
    write("pkg%03d" % i, i, [info("pkg%03d" % j, j) for j in range(i)], lambda prefix: {})
write("Big", 1000, [], lambda prefix: {prefix + "/share/blob": os.urandom(64 << 20)})
PYTHON

CLI=$BIN/alien-install
for role in root targets snapshot timestamp; do "$CLI" keys generate "$role" --dir "$WORK/keys" > /dev/null; done
"$CLI" repo init "$WORK/repo" --root-key "$WORK/keys/root.key" --targets-key "$WORK/keys/targets.key" \
  --snapshot-key "$WORK/keys/snapshot.key" --timestamp-key "$WORK/keys/timestamp.key" > /dev/null
"$CLI" publish --repo "$WORK/repo" "$WORK"/tarballs/*.tar.gz --keys-dir "$WORK/keys" > /dev/null

NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx/tmp"
cat > "$WORK/nginx/nginx.conf" <<NGINX
daemon on;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
worker_processes 1;
events { worker_connections 256; }
http {
    log_format requests '"\$request" \$status';
    access_log $WORK/nginx/access.log requests;
    sendfile on;
    client_body_temp_path $WORK/nginx/tmp; proxy_temp_path $WORK/nginx/tmp; fastcgi_temp_path $WORK/nginx/tmp;
    uwsgi_temp_path $WORK/nginx/tmp; scgi_temp_path $WORK/nginx/tmp;
    server { listen 127.0.0.1:$NGINX_PORT; root $WORK/repo; }
}
NGINX
/usr/sbin/nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx"
REPO=http://127.0.0.1:$NGINX_PORT
ROOTFILE=$WORK/repo/metadata/1.root.json

PORT=$(free_port)
TOKEN=bench-token
printf 'bench job %s\n' "$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)" > "$WORK/tokens"
cat > "$WORK/packmand.yaml" <<YAML
area: $WORK/area
arch: $ARCH
repository: $REPO
trusted_root: $ROOTFILE
tokens: $WORK/tokens
listen:
  unix: $WORK/packmand.sock
  tcp: 127.0.0.1:$PORT
parallel_jobs: 2
YAML
"$BIN/packmand" --config "$WORK/packmand.yaml" --ready-file "$WORK/ready" --log-level warning 2> "$WORK/packmand.log" &
PACKMAND_PID=$!
for _ in $(seq 200); do [ -f "$WORK/ready" ] && break; sleep 0.05; done
URL=http://127.0.0.1:$PORT

# 2. 1 000 concurrent installs of Big (first, into the empty area).
scripts/concurrent_installs.py "$PORT" "$TOKEN" 1000 Big > "$WORK/concurrent.json"
DOWNLOADS=$(grep -c '"GET /targets/.*Big-v1-1.*tar.gz HTTP/1.1" 200' "$WORK/nginx/access.log" || true)
# 3. 200 concurrent jobs asking for overlapping closures: each a random top among pkg050..pkg099
#    of the chain (so every job needs pkg000..its top), into the daemon's area, which has none
#    of them yet: every tarball must be downloaded once, whichever job gets to it first.
scripts/concurrent_installs.py "$PORT" "$TOKEN" 200 pkg 50 100 > "$WORK/overlapping.json"
OVERLAP_MAX=$(grep -o '"GET /targets/[^ ]*pkg0[0-9][0-9]-v1-1[^ ]*tar.gz HTTP/1.1" 200' "$WORK/nginx/access.log" | sort | uniq -c | sort -rn | awk 'NR==1 {print $1}')
OVERLAP_FILES=$(grep -o '"GET /targets/[^ ]*pkg0[0-9][0-9]-v1-1[^ ]*tar.gz HTTP/1.1" 200' "$WORK/nginx/access.log" | sort -u | wc -l)
ANCHOR_START=$(date +%s.%N)
"$CLI" install Big --area "$WORK/cli-area" --arch "$ARCH" --repo "$REPO" --root "$ROOTFILE" > /dev/null
ANCHOR_END=$(date +%s.%N)

# 1. wrk on reads, after the 100-package closure is installed through the daemon.
curl -sf -H "Authorization: Bearer $TOKEN" -d '{"packages":["pkg099"]}' "$URL/v1/install?wait=600" > /dev/null
WRK_INSTALLED=$(wrk -t2 -c32 -d5s "$URL/v1/installed" | awk '/Requests\/sec/ {print $2}')
curl -sf "$URL/v1/env?packages=pkg099&shell=sh" > /dev/null
WRK_ENV=$(wrk -t2 -c32 -d5s "$URL/v1/env?packages=pkg099&shell=sh" | awk '/Requests\/sec/ {print $2}')
per_second() {  # command...: how many runs a second, median of 10 runs
  /usr/bin/python3 - "$@" <<'PYTHON'
import statistics, subprocess, sys, time
samples = []
for _ in range(11):
    start = time.perf_counter()
    subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples.append(time.perf_counter() - start)
print("%.1f" % (1 / statistics.median(samples[1:])))
PYTHON
}
CLI_INSTALLED=$(per_second "$CLI" list --installed --json --area "$WORK/area")
CLI_ENV=$(per_second "$CLI" env pkg099 --shell sh --area "$WORK/area")

/usr/bin/python3 - "$WORK/concurrent.json" "$DOWNLOADS" "$ANCHOR_START" "$ANCHOR_END" "$WRK_INSTALLED" "$WRK_ENV" \
  "$CLI_INSTALLED" "$CLI_ENV" "$WORK/overlapping.json" "${OVERLAP_MAX:-0}" "${OVERLAP_FILES:-0}" <<'PYTHON' | tee -a .bench/results.jsonl
import json, sys
concurrent = json.load(open(sys.argv[1]))
downloads = int(sys.argv[2]); anchor = float(sys.argv[4]) - float(sys.argv[3])
wrk_installed, wrk_env, cli_installed, cli_env = map(float, sys.argv[5:9])
overlapping = json.load(open(sys.argv[9]))
overlap_max, overlap_files = int(sys.argv[10]), int(sys.argv[11])
rows = [
    {"label": "packmand GET /v1/installed (100 pkgs)", "daemon_rps": wrk_installed, "cli_rps": cli_installed,
     "ratio": round(wrk_installed / cli_installed, 1)},
    {"label": "packmand GET /v1/env (100-pkg closure)", "daemon_rps": wrk_env, "cli_rps": cli_env, "ratio": round(wrk_env / cli_env, 1)},
    {"label": "packmand 1000 concurrent installs (64 MiB)", "answered": concurrent["answered"], "succeeded": concurrent["succeeded"],
     "jobs": concurrent["jobs"], "downloads": downloads, "seconds": concurrent["seconds"], "one_cli_install_s": round(anchor, 3),
     "ratio": round(concurrent["seconds"] / anchor, 2)},
    {"label": "packmand 200 concurrent jobs, overlapping closures of pkg050..pkg099", "answered": overlapping["answered"],
     "succeeded": overlapping["succeeded"], "jobs": overlapping["jobs"], "tarballs_downloaded": overlap_files,
     "max_downloads_of_one_tarball": overlap_max, "seconds": overlapping["seconds"]},
]
for row in rows:
    print(json.dumps(row))
PYTHON
echo "ratio: daemon requests/s over CLI runs/s (reads); 1000 concurrent installs' time over one CLI install (lower is better)"
