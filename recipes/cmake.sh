package: CMake
version: "%(tag)s"
tag: v3.28.1
source: https://github.com/Kitware/CMake
build_requires:
  - "GCC-Toolchain:(?!osx)"
  - "Xcode:(osx.*)"
# Recent enough CMake is common on current distributions (not on slc7).
prefer_system: ".*"
prefer_system_check: |
  verge() { [ "$1" = "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" ]; }
  type cmake > /dev/null 2>&1 || { echo "no cmake on this host"; exit 1; }
  verge 3.20.0 "$(cmake --version | sed -n 's/^cmake version \([0-9][0-9.]*\).*/\1/p')"
---
#!/bin/bash -e
# CMake is only a build tool: link the C++ runtime statically, so the binary
# keeps working where our GCC-Toolchain is not loaded.
case $ARCHITECTURE in
  osx*) ;;
  *) export LDFLAGS="-static-libstdc++ -static-libgcc${LDFLAGS:+ $LDFLAGS}" ;;
esac

"$SOURCEDIR/bootstrap" --prefix="$INSTALLROOT" \
                       ${JOBS:+--parallel=$JOBS} \
                       --no-qt-gui              \
                       --                       \
                       -DCMAKE_BUILD_TYPE=Release \
                       -DCMAKE_USE_OPENSSL=OFF  \
                       -DBUILD_TESTING=OFF
make ${JOBS:+-j$JOBS}
make install/strip
rm -rf "$INSTALLROOT/doc"

# Modulefile
mkdir -p "$INSTALLROOT/etc/modulefiles"
cat > "$INSTALLROOT/etc/modulefiles/$PKGNAME" <<EoF
#%Module1.0
set version $PKGVERSION-@@PKGREVISION@$PKGHASH@@
module-whatis "CMake \$version"
module load BASE/1.0
set PKG_ROOT \$::env(BASEDIR)/$PKGNAME/\$version
setenv CMAKE_ROOT \$PKG_ROOT
prepend-path PATH \$PKG_ROOT/bin
EoF
