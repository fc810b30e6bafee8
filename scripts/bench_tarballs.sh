#!/usr/bin/env bash
# Tarball benchmark: our TarballWriter / TarballExtractor against GNU tar, same run, same tree.
#  - a ~500 MB tree of ~50 000 files (text headers + compressible binaries), generated once
#    under .bench/tarball-tree and reused;
#  - pack .tar.gz / .tar.zst: ours vs GNU tar with the normalization flags of recipe-format §7
#    (--sort=name --owner=0 --group=0 --numeric-owner --mtime=@0, gzip -n);
#  - extract .tar.gz / .tar.zst (file API, and the streaming API fed 64 KiB chunks) vs
#    tar -xzf / tar --zstd -xf, each into a fresh directory;
#  - wall time (median and best of BENCH_RUNS), CPU, peak RSS, archive sizes.
# Archives and extractions go to tmpfs (/dev/shm) when there is one: this machine's ext4
# file creation speed varies several-fold from minute to minute, which would drown the
# comparison; set BENCH_WORK to measure on another file system.
# Every measured command runs as a child process. Results: a table on stdout, JSON lines in
# .bench/tarballs.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${BENCH_RUNS:-3}
SIZE_MB=${BENCH_TREE_MB:-500}
FILES=${BENCH_TREE_FILES:-50000}
BUILD=.build-release
if [ -z "${BENCH_WORK:-}" ]; then
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then BENCH_WORK=/dev/shm/alien-install-tarball-bench; else BENCH_WORK=.bench/tarball-work; fi
fi
for tool in tar zstd gzip; do
  command -v "$tool" >/dev/null || { echo "bench_tarballs: $tool is missing (scripts/deps.sh installs it)" >&2; exit 1; }
done
echo "bench_tarballs: building tarball-bench (release)"
swift build -c release --static-swift-stdlib --scratch-path "$BUILD" --product tarball-bench 2>&1 | tail -1
mkdir -p .bench
trap 'rm -rf "$BENCH_WORK"' EXIT
start=$(date +%s)
"$BUILD/release/tarball-bench" compare --tree .bench/tarball-tree --work "$BENCH_WORK" --json .bench/tarballs.jsonl \
  --size-mb "$SIZE_MB" --files "$FILES" --runs "$RUNS"
echo "bench_tarballs: measured in $(( $(date +%s) - start )) s ($(tar --version | head -1), $(nproc) cores)"
