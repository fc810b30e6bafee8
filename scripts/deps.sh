#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks for building, testing and the demo.
# Idempotent: installs nothing when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(git bash make python3 python3-venv python3-pip python3-yaml ca-certificates
              gcc pkg-config libarchive-dev libarchive-tools zstd libcurl4-openssl-dev nginx-light squid curl rsyslog
              lmod tcl tcsh fish
              libtorrent-rasterbar-dev python3-libtorrent opentracker aria2 libsqlite3-dev wrk shellcheck debootstrap chromium
              openssl faketime)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "deps: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # Services from these packages (nginx, squid) must not start: tests run their own on 127.0.0.1
  # with private configs. policy-rc.d answering 101 makes invoke-rc.d skip every start.
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod +x "$policy"
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  [ -z "$policy" ] || $SUDO rm -f "$policy"
  # The packages also enable their services for the next boot (and a host that ignores
  # policy-rc.d may have started them): for the ones installed just now, disable and stop them.
  # The tests never use the system instances.
  if command -v systemctl >/dev/null 2>&1; then
    for service in squid nginx opentracker rsyslog; do
      if printf '%s\n' "${missing[@]}" | grep -q "^$service"; then
        $SUDO systemctl disable --now "$service" >/dev/null 2>&1 || true
      fi
    done
  fi
fi

# Environment Modules conflicts with Lmod as a Debian package; the tests need both, so its
# modulecmd.tcl is unpacked into .deps/ (run with tclsh) instead of installed.
if [ ! -f .deps/environment-modules/usr/lib/x86_64-linux-gnu/modulecmd.tcl ] && [ ! -f /usr/lib/x86_64-linux-gnu/modulecmd.tcl ]; then
  echo "deps: unpacking environment-modules into .deps/environment-modules"
  mkdir -p .deps
  (cd .deps && apt-get download environment-modules >/dev/null && dpkg -x environment-modules_*.deb environment-modules && rm -f environment-modules_*.deb)
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "deps: swift is not on PATH; install Swift 6.1 or newer (https://www.swift.org/install/linux/)" >&2
  exit 1
fi

# Interop tools live in a venv made with Debian's python3 (python3-libtorrent and friends
# import only there).
stamp=".venv/.requirements-$(sha256sum requirements-interop.txt | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "deps: preparing .venv with $(sed -e 's/#.*//' requirements-interop.txt | tr -s ' \n' ' ')"
  rm -rf .venv
  /usr/bin/python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements-interop.txt
  touch "$stamp"
fi
