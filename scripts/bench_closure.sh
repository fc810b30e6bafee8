#!/usr/bin/env bash
# Closure install benchmark (issue 14): what a site really installs — a closure of many
# packages, O2's size — into a fresh area, against the naive loop a site admin would write.
# Packages pkg000..pkgNNN, each requiring the previous one (its init.sh sources it), each with
# BENCH_CLOSURE_FILES files (default 40) of 100 KiB (half random, half text, so the gzip
# tarball is about 60 % of the tree), published with `alien-install publish` (piece-hash lists,
# as by default), served by nginx on 127.0.0.1, work files on disk (BENCH_CLOSURE_DIR, default /tmp).
# Timed, whole processes alternating A B A B (scripts/bench_compare.py), each into a new
# directory (nothing is deleted while timing; BENCH_CLOSURE_CHURN=1: each run first deletes the
# previous run's tree, which makes ext4's inode allocation the main cost of both sides; the
# trees take ~2 x (RUNS + 1) x 400 MiB a size, deleted at exit):
#   A: alien-install install pkgNNN --via http into a fresh area (TUF refresh, closure, verified
#      streamed downloads and extraction, relocation, records, manifests, modulefiles, renames)
#   B: for each tarball in dependency order: curl -s URL | tar -xz -C dir  (verifies nothing)
# for each size in BENCH_CLOSURE_SIZES (default "100 200"): linear cost means the 200-package
# time is about twice the 100-package time. Then a dead tracker: the first 20 packages published
# with torrents whose tracker is down, installed with the default --via auto against --via http.
# Usage: scripts/bench_closure.sh [BIN_DIR]   (default .build-release/release)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(cd "${1:-.build-release/release}" && pwd)
SIZES=${BENCH_CLOSURE_SIZES:-100 200}
FILES=${BENCH_CLOSURE_FILES:-40}
RUNS=${BENCH_RUNS:-3}
CHURN=${BENCH_CLOSURE_CHURN:-}
ARCH=slc9_x86-64
WORK=$(mktemp -d "${BENCH_CLOSURE_DIR:-/tmp}/alien-bench-closure.XXXXXX")
chmod 755 "$WORK"  # nginx workers (nobody, when started as root) must read it
mkdir "$WORK/runs"
mkdir -p .bench
trap 'kill $(cat "$WORK/nginx.pid" 2>/dev/null) 2>/dev/null || true; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$WORK"' EXIT
for role in root targets snapshot timestamp; do "$BIN/alien-install" keys generate $role --dir "$WORK/keys" > /dev/null; done
. scripts/bench_nginx.sh
bench_nginx "$WORK" "$WORK/www"
results=.bench/results.jsonl

for COUNT in $SIZES; do
  LAST=$(printf 'pkg%03d' $((COUNT - 1)))
  echo "bench: generating $COUNT packages of $FILES files of 100 KiB"
  /usr/bin/python3 - "$WORK/tarballs-$COUNT" "$ARCH" "$COUNT" "$FILES" <<'PYTHON'
import io, json, os, random, sys, tarfile
out, arch, count, files = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
os.makedirs(out)
random.seed(14)
text = b"".join(b"line %06d: the quick brown fox jumps over the lazy dog %d\n" % (n, n * 7919 % 1000) for n in range(4000))
def info(i):
    return {"name": "pkg%03d" % i, "tag": "v1", "source": None, "version": "v1", "revision": "1", "hash": "%040x" % (i + 1)}
for i in range(count):
    name = "pkg%03d" % i
    prefix = "%s/%s/v1-1" % (arch, name)
    meta = {"alien_install_version": "0.1.0", "architecture": arch, "defaults": "release", "package": info(i),
            "dependencies": {"direct": {"build": [], "runtime": [info(i - 1)] if i else []},
                             "recursive": {"build": [], "runtime": [info(j) for j in range(i)]}}}
    big = name.upper()
    init = ': "${ALIBUILD_ARCH_PREFIX:=%s}"\n' % arch
    if i:
        init += '[ -n "${PKG%03d_REVISION}" ] || . "$WORK_DIR/$ALIBUILD_ARCH_PREFIX"/pkg%03d/v1-1/etc/profile.d/init.sh\n' % (i - 1, i - 1)
    init += ('export %s_ROOT="$WORK_DIR/$ALIBUILD_ARCH_PREFIX"/%s/v1-1\n' % (big, name)
             + 'export RECC_PREFIX_MAP="$%s_ROOT=/recc/%s_ROOT:$RECC_PREFIX_MAP"\n' % (big, big)
             + 'export %s_VERSION=v1\nexport %s_REVISION=1\nexport %s_HASH=%040x\nexport %s_COMMIT=%040x\n' % (big, big, big, i + 1, big, i + 1)
             + 'export PATH="$%s_ROOT/bin${PATH+:$PATH}"\n' % big
             + 'export LD_LIBRARY_PATH="$%s_ROOT/lib${LD_LIBRARY_PATH+:$LD_LIBRARY_PATH}"' % big)
    entries = {prefix + "/.meta.json": json.dumps(meta, indent=2, sort_keys=True).encode() + b"\n",
               prefix + "/etc/profile.d/init.sh": init.encode(),
               prefix + "/bin/%s-hello" % name: b"#!/bin/sh\necho %s\n" % name.encode()}
    for f in range(files):
        if f % 2:
            data = random.randbytes(100 << 10)
        else:
            start = random.randrange(len(text) // 2)
            data = (text[start:] + text)[:100 << 10]
        entries[prefix + "/share/d%d/f%03d.dat" % (f % 4, f)] = data
    with tarfile.open(os.path.join(out, "%s-v1-1.%s.tar.gz" % (name, arch)), "w:gz", compresslevel=6) as tar:
        for path, data in sorted(entries.items()):
            entry = tarfile.TarInfo(path)
            entry.size = len(data)
            entry.mode = 0o755 if "/bin/" in path else 0o644
            entry.mtime = 1700000000
            tar.addfile(entry, io.BytesIO(data))
PYTHON
  repo=$WORK/www/closure-$COUNT
  "$BIN/alien-install" repo init "$repo" --root-key "$WORK/keys/root.key" --targets-key "$WORK/keys/targets.key" \
    --snapshot-key "$WORK/keys/snapshot.key" --timestamp-key "$WORK/keys/timestamp.key" > /dev/null
  "$BIN/alien-install" publish --repo "$repo" --keys-dir "$WORK/keys" "$WORK/tarballs-$COUNT"/*.tar.gz > /dev/null
  echo "bench: published $(du -sm "$repo/targets" | cut -f1) MiB"
  chmod -R a+rX "$WORK/www"
  # The naive loop's URL list, in dependency order (pkg000 first).
  (cd "$repo" && for i in $(seq 0 $((COUNT - 1))); do ls targets/$ARCH/"$(printf 'pkg%03d' "$i")"/*.tar.gz; done) \
    | sed "s|^|$URL/closure-$COUNT/|" > "$WORK/urls-$COUNT"
  cat > "$WORK/naive-$COUNT.sh" <<SH
#!/bin/sh
set -e
B=\${1:-\$(mktemp -d "$WORK/runs/b.XXXXXX")}
[ -z "$CHURN" ] || rm -rf "\$B"
mkdir -p "\$B"
while read -r url; do curl -sf "\$url" | tar -xz -C "\$B"; done < "$WORK/urls-$COUNT"
SH
  chmod +x "$WORK/naive-$COUNT.sh"
  # Each timed run into a directory of its own, nothing deleted while timing: ext4 does not
  # reuse an inode freed within the last minute (recently_deleted), so creating 4 000 files
  # right after deleting 4 000 scans the inode bitmaps, which then costs both sides more than
  # everything else (half the samples; BENCH_CLOSURE_CHURN=1 times exactly that: each run first
  # deletes the previous tree). The trees are deleted at exit.
  if [ -n "$CHURN" ]; then
    ours="sh -c 'rm -rf $WORK/area && $BIN/alien-install install $LAST --via http --area $WORK/area --arch $ARCH --repo $URL/closure-$COUNT --root $repo/metadata/1.root.json'"
    naive="$WORK/naive-$COUNT.sh $WORK/b"
  else
    ours="sh -c '$BIN/alien-install install $LAST --via http --area \$(mktemp -d $WORK/runs/a.XXXXXX) --arch $ARCH --repo $URL/closure-$COUNT --root $repo/metadata/1.root.json'"
    naive="$WORK/naive-$COUNT.sh"
  fi
  # Both must succeed and give the same trees before they are timed.
  check=$WORK/runs/check-$COUNT
  "$BIN/alien-install" install $LAST --via http --area "$check/area" --arch $ARCH --repo "$URL/closure-$COUNT" --root "$repo/metadata/1.root.json" > /dev/null
  mkdir -p "$check/b" && "$WORK/naive-$COUNT.sh" "$check/b"
  test "$(find "$check/area/$ARCH" -path '*/share/*' -type f | wc -l)" = "$((COUNT * FILES))"
  test "$(find "$check/b/$ARCH" -path '*/share/*' -type f | wc -l)" = "$((COUNT * FILES))"
  # Each run starts with the disk idle (`sync`, untimed): a 200-package run writes 800 MB, and
  # without it a run pays for the previous runs' writeback (ours waits for its own files'
  # data before each rename; the naive loop never waits for the disk).
  scripts/bench_compare.py --runs "$RUNS" --settle sync --label "install a $COUNT-package closure (fresh area${CHURN:+ after deleting the last}, --via http) vs sequential curl | tar -xz" \
    "$ours" "$naive" | tee -a "$results"
  if [ "$COUNT" = "${BENCH_DEAD_TRACKER_FROM:-100}" ]; then
    # A dead tracker (issue 14): the first 20 packages of the chain published again, in a
    # repository of their own, with torrents naming a tracker nothing listens on (and the
    # repository as web seed). Default install (--via auto: the swarm first) against --via http,
    # same run: the swarm must be given up once, within seconds, not once per package.
    DEAD=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    torrents=$WORK/www/dead-tracker
    "$BIN/alien-install" repo init "$torrents" --root-key "$WORK/keys/root.key" --targets-key "$WORK/keys/targets.key" \
      --snapshot-key "$WORK/keys/snapshot.key" --timestamp-key "$WORK/keys/timestamp.key" > /dev/null
    "$BIN/alien-install" publish --repo "$torrents" --keys-dir "$WORK/keys" --tracker "http://127.0.0.1:$DEAD/announce" \
      --web-seed-base "$URL/dead-tracker" $(for i in $(seq 0 19); do printf '%s ' "$WORK/tarballs-$COUNT/$(printf 'pkg%03d' "$i")-v1-1.$ARCH.tar.gz"; done) > /dev/null
    chmod -R a+rX "$WORK/www"
    common="--area $WORK/area --arch $ARCH --repo $URL/dead-tracker --root $torrents/metadata/1.root.json"
    auto="sh -c 'rm -rf $WORK/area && $BIN/alien-install install pkg019 $common'"
    http="sh -c 'rm -rf $WORK/area && $BIN/alien-install install pkg019 --via http $common'"
    eval "$auto" > /dev/null
    test "$(find "$WORK/area/$ARCH" -path '*/share/*' -type f | wc -l)" = "$((20 * FILES))"
    scripts/bench_compare.py --runs "$RUNS" --label "dead tracker: install a 20-package closure with torrents (--via auto) vs --via http" \
      "$auto" "$http" | tee -a "$results"
    rm -rf "$WORK/area"
  fi
  rm -rf "$WORK/tarballs-$COUNT"
done
