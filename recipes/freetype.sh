package: FreeType
version: "v2.13.2"
tag: VER-2-13-2
source: https://gitlab.freedesktop.org/freetype/freetype
requires:
  - zlib
  - libpng
build_requires:
  - CMake
  - "GCC-Toolchain:(?!osx)"
prefer_system: "(?!slc5)"
prefer_system_check: |
  printf '#include <ft2build.h>\n#include FT_FREETYPE_H\nint main(void) { FT_Library l; return FT_Init_FreeType(&l); }\n' |
    cc -xc - $(pkg-config --cflags freetype2 2>/dev/null || freetype-config --cflags) -lfreetype -o /dev/null
---
#!/bin/bash -e
cmake "$SOURCEDIR"                                \
      -DCMAKE_INSTALL_PREFIX="$INSTALLROOT"       \
      -DCMAKE_INSTALL_LIBDIR=lib                  \
      -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" \
      -DBUILD_SHARED_LIBS=ON                      \
      -DFT_REQUIRE_ZLIB=ON                        \
      -DFT_REQUIRE_PNG=ON                         \
      -DFT_DISABLE_BZIP2=ON                       \
      -DFT_DISABLE_HARFBUZZ=ON                    \
      -DFT_DISABLE_BROTLI=ON                      \
      ${ZLIB_ROOT:+-DZLIB_ROOT="$ZLIB_ROOT"}      \
      ${LIBPNG_ROOT:+-DPNG_ROOT="$LIBPNG_ROOT"}
cmake --build . --target install ${JOBS:+-j $JOBS}

# Modulefile
mkdir -p "$INSTALLROOT/etc/modulefiles"
cat > "$INSTALLROOT/etc/modulefiles/$PKGNAME" <<EoF
#%Module1.0
set version $PKGVERSION-@@PKGREVISION@$PKGHASH@@
module-whatis "FreeType \$version"
module load BASE/1.0 ${ZLIB_REVISION:+zlib/$ZLIB_VERSION-$ZLIB_REVISION} ${LIBPNG_REVISION:+libpng/$LIBPNG_VERSION-$LIBPNG_REVISION}
set PKG_ROOT \$::env(BASEDIR)/$PKGNAME/\$version
setenv FREETYPE_ROOT \$PKG_ROOT
prepend-path LD_LIBRARY_PATH \$PKG_ROOT/lib
EoF
