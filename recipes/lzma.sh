package: lzma
version: "%(tag)s"
tag: v5.6.3
source: https://github.com/tukaani-project/xz
build_requires:
  - autotools
  - "GCC-Toolchain:(?!osx)"
prefer_system: "(?!slc5)"
prefer_system_check: |
  printf '#include <lzma.h>\nint main(void) { return lzma_version_number() < 50000000; }\n' |
    cc -xc - -llzma -o /dev/null
---
#!/bin/bash -e
rsync -a --delete --exclude='**/.git' "$SOURCEDIR/" ./
./autogen.sh --no-po4a --no-doxygen
./configure --prefix="$INSTALLROOT" \
            --libdir="$INSTALLROOT/lib" \
            --disable-doc            \
            --disable-nls            \
            --disable-scripts        \
            --disable-static
make ${JOBS:+-j$JOBS}
make install
rm -f "$INSTALLROOT"/lib/*.la
rm -rf "$INSTALLROOT/share"

# Modulefile
mkdir -p "$INSTALLROOT/etc/modulefiles"
cat > "$INSTALLROOT/etc/modulefiles/$PKGNAME" <<EoF
#%Module1.0
set version $PKGVERSION-@@PKGREVISION@$PKGHASH@@
module-whatis "xz / liblzma \$version"
module load BASE/1.0
set PKG_ROOT \$::env(BASEDIR)/$PKGNAME/\$version
setenv LZMA_ROOT \$PKG_ROOT
prepend-path PATH \$PKG_ROOT/bin
prepend-path LD_LIBRARY_PATH \$PKG_ROOT/lib
EoF
