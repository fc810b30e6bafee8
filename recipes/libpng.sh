package: libpng
version: "%(tag)s"
tag: v1.6.43
source: https://github.com/pnggroup/libpng
requires:
  - zlib
build_requires:
  - CMake
  - "GCC-Toolchain:(?!osx)"
prefer_system: "(?!slc5)"
prefer_system_check: |
  printf '#include <png.h>\nint main(void) { return png_access_version_number() < 10600; }\n' |
    cc -xc - $(pkg-config --cflags libpng 2>/dev/null) -lpng -o /dev/null
---
#!/bin/bash -e
cmake "$SOURCEDIR"                                \
      -DCMAKE_INSTALL_PREFIX="$INSTALLROOT"       \
      -DCMAKE_INSTALL_LIBDIR=lib                  \
      -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" \
      -DPNG_STATIC=OFF                            \
      -DPNG_TESTS=OFF                             \
      ${ZLIB_ROOT:+-DZLIB_ROOT="$ZLIB_ROOT"}
cmake --build . --target install ${JOBS:+-j $JOBS}
rm -rf "$INSTALLROOT/share/man"

# Modulefile
mkdir -p "$INSTALLROOT/etc/modulefiles"
cat > "$INSTALLROOT/etc/modulefiles/$PKGNAME" <<EoF
#%Module1.0
set version $PKGVERSION-@@PKGREVISION@$PKGHASH@@
module-whatis "libpng \$version"
module load BASE/1.0 ${ZLIB_REVISION:+zlib/$ZLIB_VERSION-$ZLIB_REVISION}
set PKG_ROOT \$::env(BASEDIR)/$PKGNAME/\$version
setenv LIBPNG_ROOT \$PKG_ROOT
prepend-path PATH \$PKG_ROOT/bin
prepend-path LD_LIBRARY_PATH \$PKG_ROOT/lib
EoF
