#!/usr/bin/env bash
# `make dist`: the binary release a site installs from — dist/alien-install-linux-<machine>.tar.gz
# with bin/ (release builds, Swift runtime linked statically), installer/ and README.md, no
# top-level directory. `installer/alien-installer` run from the unpacked tarball installs these
# binaries (no Swift needed at the site); `--from-tarball FILE` takes the tarball itself.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=.build-release
PRODUCTS=(alien-install alien-env)
if grep -q 'name: "packmand"' Package.swift; then PRODUCTS+=(packmand); fi
for product in "${PRODUCTS[@]}"; do
  echo "dist: building $product (release, static Swift runtime)"
  swift build -c release --static-swift-stdlib --scratch-path "$BUILD" --product "$product" 2>&1 | tail -1
done
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/bin" dist
for product in "${PRODUCTS[@]}"; do
  cp "$BUILD/release/$product" "$STAGE/bin/"
  strip "$STAGE/bin/$product" 2>/dev/null || true
done
cp -R installer README.md "$STAGE/"
OUT=dist/alien-install-linux-$(uname -m).tar.gz
tar --owner=0 --group=0 -czf "$OUT.tmp" -C "$STAGE" .
mv "$OUT.tmp" "$OUT"
echo "dist: $OUT ($(du -h "$OUT" | cut -f1)): ${PRODUCTS[*]} + installer/"
