package: VMC
version: "%(tag_basename)s"
tag: v2-0
source: https://github.com/vmc-project/vmc
requires:
  - ROOT
build_requires:
  - CMake
# Appended, so that headers of the packages built on top of VMC win.
append_path:
  ROOT_INCLUDE_PATH: "$VMC_ROOT/include/vmc"
---
#!/bin/bash -e
cmake "$SOURCEDIR"                                      \
      -DCMAKE_INSTALL_PREFIX="$INSTALLROOT"             \
      -DCMAKE_INSTALL_LIBDIR=lib                        \
      -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" \
      -DROOT_DIR="$ROOT_ROOT/cmake"
cmake --build . --target install ${JOBS:+-j $JOBS}

# Modulefile
mkdir -p "$INSTALLROOT/etc/modulefiles"
cat > "$INSTALLROOT/etc/modulefiles/$PKGNAME" <<EoF
#%Module1.0
set version $PKGVERSION-@@PKGREVISION@$PKGHASH@@
module-whatis "Virtual Monte Carlo \$version"
module load BASE/1.0 ROOT/$ROOT_VERSION-$ROOT_REVISION
set PKG_ROOT \$::env(BASEDIR)/$PKGNAME/\$version
setenv VMC_ROOT \$PKG_ROOT
prepend-path LD_LIBRARY_PATH \$PKG_ROOT/lib
append-path ROOT_INCLUDE_PATH \$PKG_ROOT/include/vmc
EoF
