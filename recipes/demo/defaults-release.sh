package: defaults-release
version: v1
env:
  CFLAGS: "-O2 -g0"
---
