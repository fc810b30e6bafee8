package: Vc
version: "%(tag)s"
tag: "1.4.5"
source: https://github.com/VcDevel/Vc
requires:
  - "GCC-Toolchain:(?!osx)"
build_requires:
  - CMake
---
#!/bin/bash -e
cmake "$SOURCEDIR"                                      \
      -DCMAKE_INSTALL_PREFIX="$INSTALLROOT"             \
      -DCMAKE_INSTALL_LIBDIR=lib                        \
      -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" \
      -DBUILD_TESTING=OFF                               \
      -DBUILD_EXAMPLES=OFF
cmake --build . --target install ${JOBS:+-j $JOBS}

# Modulefile
mkdir -p "$INSTALLROOT/etc/modulefiles"
cat > "$INSTALLROOT/etc/modulefiles/$PKGNAME" <<EoF
#%Module1.0
set version $PKGVERSION-@@PKGREVISION@$PKGHASH@@
module-whatis "Vc SIMD library \$version"
module load BASE/1.0 ${GCC_TOOLCHAIN_REVISION:+GCC-Toolchain/$GCC_TOOLCHAIN_VERSION-$GCC_TOOLCHAIN_REVISION}
set PKG_ROOT \$::env(BASEDIR)/$PKGNAME/\$version
setenv VC_ROOT \$PKG_ROOT
prepend-path LD_LIBRARY_PATH \$PKG_ROOT/lib
EoF
