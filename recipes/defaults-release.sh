package: defaults-release
version: v1
# The flags every package of a release is built with. aliBuild exports this
# env to each build through the init.sh of defaults-release, and the hash of
# this file goes into every package hash.
env:
  CFLAGS: "-fPIC -g -O2"
  CXXFLAGS: "-fPIC -g -O2 -std=c++17"
  CXXSTD: "17"
  CMAKE_BUILD_TYPE: "RELWITHDEBINFO"
disable: []
overrides:
  # AliRoot follows master in its recipe; a release builds a fixed tag.
  AliRoot:
    version: "%(tag_basename)s"
    tag: v5-09-59
  # The Vc that AliRoot v5-09-59 was validated against.
  Vc:
    tag: "1.4.4"
---
# aliBuild never runs the body of a defaults file.
