#!/usr/bin/env bash
# `make test-fresh`: the README's "Running a site" block, run as written on a fresh Debian 12
# root (debootstrap --variant=minbase, then chroot; needs root and Debian's mirror). The demo
# stack is built and published here, served on 127.0.0.1 (the chroot shares the network), and
# the binary release (make dist) and the repository's 1.root.json are the only things copied in.
# Passes when the installer's `doctor --site` passes and hello-grid runs from the installed
# package. Takes about 3 minutes after the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "test-fresh: needs root (debootstrap, chroot, mount)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "test-fresh: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
ARCH=slc9_x86-64
WORK=$(mktemp -d /tmp/alien-fresh.XXXXXX)
ROOTFS=$WORK/rootfs
cleanup() {
  [ -z "${SERVE_PID:-}" ] || kill "$SERVE_PID" 2>/dev/null || true
  umount "$ROOTFS/proc" 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
started=$(date +%s)

scripts/dist.sh
TARBALL=dist/alien-install-linux-$(uname -m).tar.gz
BIN=.build-release/release/alien-install

echo "test-fresh: building and publishing the demo stack"
"$BIN" build GridDemo --config-dir recipes/demo --work-dir "$WORK/sw" --arch "$ARCH" > "$WORK/build.log" 2>&1 \
  || { tail -20 "$WORK/build.log"; exit 1; }
for role in root targets snapshot timestamp; do "$BIN" keys generate "$role" --dir "$WORK/keys" > /dev/null; done
"$BIN" repo init "$WORK/repo" --root-key "$WORK/keys/root.key" --targets-key "$WORK/keys/targets.key" \
  --snapshot-key "$WORK/keys/snapshot.key" --timestamp-key "$WORK/keys/timestamp.key" > /dev/null
"$BIN" publish --repo "$WORK/repo" --work-dir "$WORK/sw" --arch "$ARCH" GridDemo --keys-dir "$WORK/keys" > /dev/null
"$BIN" serve "$WORK/repo" --host 127.0.0.1 --port 0 --quiet > "$WORK/serve.out" 2>&1 &
SERVE_PID=$!
for _ in $(seq 100); do grep -q 'http://' "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
REPO=$(grep -o 'http://[0-9.:]*' "$WORK/serve.out" | head -1)

echo "test-fresh: debootstrap bookworm (minbase) into $ROOTFS"
# One retry: a mirror hiccup is not what this test is about.
debootstrap --variant=minbase bookworm "$ROOTFS" http://deb.debian.org/debian > "$WORK/debootstrap.log" 2>&1 \
  || { echo "test-fresh: debootstrap failed once; retrying"; rm -rf "$ROOTFS";
       debootstrap --variant=minbase bookworm "$ROOTFS" http://deb.debian.org/debian > "$WORK/debootstrap.log" 2>&1; } \
  || { tail -20 "$WORK/debootstrap.log"; exit 1; }
mount -t proc proc "$ROOTFS/proc"
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
mkdir -p "$ROOTFS/root/site"
cp "$TARBALL" "$ROOTFS/root/site/alien-install-linux-x86_64.tar.gz"
cp "$WORK/repo/metadata/1.root.json" "$ROOTFS/root/site/1.root.json"
# The README's block, exactly as written.
sed -n '/<!-- running-a-site:begin/,/<!-- running-a-site:end/p' README.md | sed -e '1,/^```sh$/d' -e '/^```$/,$d' \
  > "$ROOTFS/root/site/steps.sh"
test -s "$ROOTFS/root/site/steps.sh"

echo "test-fresh: running the README's steps in the fresh root (REPO=$REPO)"
chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root REPO="$REPO" ARCH="$ARCH" \
  /bin/sh -ec 'cd /root/site && . ./steps.sh' 2>&1 | tee "$WORK/steps.log"
grep -q '✓ metadata-fresh' "$WORK/steps.log" || { echo "test-fresh: FAILED: the installer's doctor did not pass" >&2; exit 1; }
grep -q 'my-site' "$WORK/steps.log" || { echo "test-fresh: FAILED: hello-grid did not run" >&2; exit 1; }
echo "test-fresh: passed in $(( $(date +%s) - started )) s (fresh Debian 12 root → doctor ✓ → hello-grid)"
