package: autotools
version: "1.0"
# Sources taken from git (not release tarballs) must be bootstrapped with
# autoreconf, so the host has to provide the autotools. This is a check only:
# a system_requirement recipe must have an empty body.
system_requirement: ".*"
system_requirement_check: |
  type autoconf && type automake && type autopoint && type pkg-config &&
    { type libtoolize || type glibtoolize; }
system_requirement_missing: |
  autoconf, automake, libtool, gettext (autopoint) and pkg-config are needed.
    * RHEL / Alma / Rocky: dnf install autoconf automake libtool gettext-devel pkgconfig
    * Ubuntu / Debian:     apt-get install autoconf automake libtool autopoint pkg-config
    * macOS (Homebrew):    brew install autoconf automake libtool gettext pkg-config
---
