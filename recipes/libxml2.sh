package: libxml2
version: "%(tag)s"
tag: v2.11.7
source: https://gitlab.gnome.org/GNOME/libxml2
requires:
  - zlib
build_requires:
  - autotools
  - "GCC-Toolchain:(?!osx)"
prefer_system: "(?!slc5)"
prefer_system_check: |
  printf '#include <libxml/xmlversion.h>\nint main(void) { LIBXML_TEST_VERSION; return 0; }\n' |
    cc -xc - $(xml2-config --cflags 2>/dev/null || pkg-config --cflags libxml-2.0) -lxml2 -o /dev/null
---
#!/bin/bash -e
rsync -a --delete --exclude='**/.git' "$SOURCEDIR/" ./
NOCONFIGURE=1 ./autogen.sh
./configure --prefix="$INSTALLROOT"          \
            --libdir="$INSTALLROOT/lib"      \
            --disable-static                 \
            --without-python                 \
            --without-lzma                   \
            --without-icu                    \
            --with-zlib${ZLIB_ROOT:+="$ZLIB_ROOT"}
make ${JOBS:+-j$JOBS}
make install
rm -f "$INSTALLROOT"/lib/*.la
rm -rf "$INSTALLROOT/share/doc" "$INSTALLROOT/share/gtk-doc" "$INSTALLROOT/share/man"

# Modulefile
mkdir -p "$INSTALLROOT/etc/modulefiles"
cat > "$INSTALLROOT/etc/modulefiles/$PKGNAME" <<EoF
#%Module1.0
set version $PKGVERSION-@@PKGREVISION@$PKGHASH@@
module-whatis "libxml2 \$version"
module load BASE/1.0 ${ZLIB_REVISION:+zlib/$ZLIB_VERSION-$ZLIB_REVISION}
set PKG_ROOT \$::env(BASEDIR)/$PKGNAME/\$version
setenv LIBXML2_ROOT \$PKG_ROOT
prepend-path PATH \$PKG_ROOT/bin
prepend-path LD_LIBRARY_PATH \$PKG_ROOT/lib
EoF
