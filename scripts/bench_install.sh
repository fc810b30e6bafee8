#!/usr/bin/env bash
# Install benchmark (issue 5): one package tarball of BENCH_INSTALL_MB MiB (default 1024) with
# 20 000 files of mixed sizes (log-uniform 512 B – 2 MiB, about half of the bytes incompressible),
# packed with GNU tar as a package, once with gzip and once with zstd (<arch>/<Name>/<Version>-<Rev>/ with .meta.json),
# published WITH piece-hash lists into a fresh repository, served by nginx on 127.0.0.1.
# Timed, whole processes alternating A B A B (scripts/bench_compare.py), each including the
# removal of the previous run's result:
#   A: alien-install install BenchPkg into a fresh area (TUF refresh, streamed piece-verified
#      download + extraction, whole-file sha256, relocation, record, fsync, rename)
#   B: curl -s -o f URL && sha256sum f && tar -xzf f (tar --zstd -xf f for the zstd variant) -C dir
# then `install` of the already-installed package (no-op), median of 10 runs.
# Work files in BENCH_INSTALL_DIR (default /dev/shm; needs about 5× the size free).
# Usage: scripts/bench_install.sh [BIN_DIR]   (default .build-release/release; build it with
#   swift build -c release --static-swift-stdlib --scratch-path .build-release)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(cd "${1:-.build-release/release}" && pwd)
MB=${BENCH_INSTALL_MB:-1024}
FILES=${BENCH_INSTALL_FILES:-20000}
RUNS=${BENCH_RUNS:-3}
ARCH=slc9_x86-64
WORK=$(mktemp -d "${BENCH_INSTALL_DIR:-/dev/shm}/alien-bench-install.XXXXXX")
chmod 755 "$WORK"  # nginx workers (nobody, when started as root) must read it
mkdir -p .bench
trap 'kill $(cat "$WORK/nginx.pid" 2>/dev/null) 2>/dev/null || true; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$WORK"' EXIT

echo "bench: generating a $MB MiB package of $FILES files in $WORK"
python3 - "$WORK/tree" "$ARCH" "$MB" "$FILES" <<'PYTHON'
import json, math, os, random, sys
root, arch, mb, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
prefix = os.path.join(root, arch, "BenchPkg", "v1-1")
random.seed(5)
sizes = [math.exp(random.uniform(math.log(512), math.log(2 << 20))) for _ in range(count)]
scale = mb * (1 << 20) / sum(sizes)
text = b"".join(b"line %06d: the quick brown fox jumps over the lazy dog %d\n" % (n, n * 7919 % 1000) for n in range(40000))
for index, size in enumerate(sizes):
    size = max(1, int(size * scale))
    directory = os.path.join(prefix, "share", "d%03d" % (index % 200))
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "f%05d.%s" % (index, "bin" if index % 2 else "txt")), "wb") as out:
        if index % 2:
            out.write(os.urandom(size))
        else:
            start = random.randrange(len(text) // 2)
            chunk = (text[start:] + text) * (size // len(text) + 2)
            out.write(chunk[:size])
info = {"name": "BenchPkg", "tag": "v1", "source": None, "version": "v1", "revision": "1", "hash": "b" * 40}
meta = {"alien_install_version": "0.1.0", "architecture": arch, "defaults": "release", "package": info,
        "dependencies": {"direct": {"build": [], "runtime": []}, "recursive": {"build": [], "runtime": []}}}
with open(os.path.join(prefix, ".meta.json"), "w") as out:
    json.dump(meta, out, indent=2, sort_keys=True)
    out.write("\n")
os.makedirs(os.path.join(prefix, "etc", "profile.d"), exist_ok=True)
with open(os.path.join(prefix, "etc", "profile.d", "init.sh"), "w") as out:
    # What aliBuild writes (its own six lines; install reads it as data, never runs it).
    out.write(': "${ALIBUILD_ARCH_PREFIX:=%s}"\n' % arch
              + 'export BENCHPKG_ROOT="$WORK_DIR/$ALIBUILD_ARCH_PREFIX"/BenchPkg/v1-1\n'
              + 'export RECC_PREFIX_MAP="$BENCHPKG_ROOT=/recc/BENCHPKG_ROOT:$RECC_PREFIX_MAP"\n'
              + 'export BENCHPKG_VERSION=v1\nexport BENCHPKG_REVISION=1\n'
              + 'export BENCHPKG_HASH=%040x\nexport BENCHPKG_COMMIT=%040x' % (1, 1))
PYTHON
# The same tree packed twice: gzip (what aliBuild makes) and zstd; each published into a
# repository of its own (with piece-hash lists), both served by one nginx.
tar -C "$WORK/tree" -czf "$WORK/BenchPkg-v1-1.$ARCH.tar.gz" "$ARCH"
tar -C "$WORK/tree" --zstd -cf "$WORK/BenchPkg-v1-1.$ARCH.tar.zst" "$ARCH"
rm -rf "$WORK/tree"
for role in root targets snapshot timestamp; do "$BIN/alien-install" keys generate $role --dir "$WORK/keys" > /dev/null; done
for ext in tar.gz tar.zst; do
  TARBALL="$WORK/BenchPkg-v1-1.$ARCH.$ext"
  echo "bench: $ext tarball $(du -m "$TARBALL" | cut -f1) MiB, publishing (with piece-hash lists)"
  "$BIN/alien-install" repo init "$WORK/www/$ext" --root-key "$WORK/keys/root.key" --targets-key "$WORK/keys/targets.key" \
    --snapshot-key "$WORK/keys/snapshot.key" --timestamp-key "$WORK/keys/timestamp.key" > /dev/null
  "$BIN/alien-install" publish --repo "$WORK/www/$ext" --keys-dir "$WORK/keys" "$TARBALL" > /dev/null
  rm -f "$TARBALL"
  test -n "$(ls "$WORK/www/$ext/targets/$ARCH/BenchPkg/"*.pieces)"
done
chmod -R a+rX "$WORK/www"

. scripts/bench_nginx.sh
bench_nginx "$WORK" "$WORK/www"
results=.bench/results.jsonl

measure() {  # ext tar-flags
  local ext=$1 untar=$2 repo=$URL/$1 stored sha
  stored=$(cd "$WORK/www/$ext" && ls targets/$ARCH/BenchPkg/*."$ext")
  sha=$(basename "$stored" | cut -d. -f1)
  ours="sh -c 'rm -rf $WORK/area-a && $BIN/alien-install install BenchPkg --area $WORK/area-a --arch $ARCH --repo $repo --root $WORK/www/$ext/metadata/1.root.json'"
  theirs="sh -c 'rm -rf $WORK/b && mkdir $WORK/b && curl -s -o $WORK/b/f $repo/$stored && sha256sum $WORK/b/f && tar $untar $WORK/b/f -C $WORK/b'"
  # Both must succeed (and agree) before they are timed.
  eval "$ours" > /dev/null
  eval "$theirs" > /dev/null
  test "$(sha256sum "$WORK/b/f" | cut -d' ' -f1)" = "$sha"
  test -f "$WORK/area-a/$ARCH/BenchPkg/v1-1/etc/profile.d/init.sh"
  test "$(find "$WORK/area-a/$ARCH/BenchPkg/v1-1/share" -type f | wc -l)" = "$FILES"
  scripts/bench_compare.py --runs "$RUNS" --label "install ${MB} MiB package ($FILES files, $ext) vs curl+sha256sum+tar $untar" \
    "$ours" "$theirs" | tee -a "$results"
}
measure tar.gz -xzf
measure tar.zst "--zstd -xf"

# The already-installed case: no download, no work.
"$BIN/alien-install" install BenchPkg --area "$WORK/area-a" > /dev/null
python3 - "$BIN/alien-install" "$WORK/area-a" <<'PYTHON' | tee -a "$results"
import json, statistics, subprocess, sys, time
times = []
for _ in range(10):
    start = time.perf_counter()
    subprocess.run([sys.argv[1], "install", "BenchPkg", "--area", sys.argv[2]], check=True, stdout=subprocess.DEVNULL)
    times.append(time.perf_counter() - start)
print(json.dumps({"label": "install, already installed (1 package)", "a_median_s": round(statistics.median(times), 5)}))
PYTHON
