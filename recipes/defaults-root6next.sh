package: defaults-root6next
version: v1
# Preview stack: the next ROOT and XRootD under the same AliRoot tag.
# Packages built with these defaults get their own hashes; AliRoot and
# AliEn-Runtime also get a _ROOT6NEXT suffix in their version.
env:
  CFLAGS: "-fPIC -g -O2"
  CXXFLAGS: "-fPIC -g -O2 -std=c++17"
  CXXSTD: "17"
  CMAKE_BUILD_TYPE: "RELWITHDEBINFO"
# fastjet is optional for AliRoot (its CMake only adds the jet code when
# FASTJET is given); leave it out of the preview.
disable:
  - fastjet
overrides:
  # Keys are regular expressions matched (fullmatch) against the lower-cased
  # package name.
  AliRoot:
    version: "%(tag_basename)s%(defaults_upper)s"
    tag: v5-09-59
  ROOT:
    tag: v6-34-02
  xrootd:
    tag: v5.7.2
  # Always build the compression and image libraries ROOT links against, so
  # that the preview never mixes them with whatever the host has.
  "zlib|lzma|lib(png|xml2)|freetype":
    prefer_system: "(?!.*)"
---
# aliBuild never runs the body of a defaults file.
