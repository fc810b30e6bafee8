package: libffi
version: "%(tag)s"
tag: v3.4.6
source: https://github.com/libffi/libffi
build_requires:
  - autotools
  - "GCC-Toolchain:(?!osx)"
prefer_system: ".*"
prefer_system_check: |
  printf '#include <ffi.h>\nint main(void) { ffi_cif c; return sizeof(c) == 0; }\n' |
    cc -xc - $(pkg-config --cflags libffi 2>/dev/null) -lffi -o /dev/null
---
#!/bin/bash -e
rsync -a --delete --exclude='**/.git' "$SOURCEDIR/" ./
./autogen.sh
./configure --prefix="$INSTALLROOT"           \
            --libdir="$INSTALLROOT/lib"       \
            --disable-multi-os-directory      \
            --disable-docs                    \
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
module-whatis "libffi \$version"
module load BASE/1.0
set PKG_ROOT \$::env(BASEDIR)/$PKGNAME/\$version
setenv LIBFFI_ROOT \$PKG_ROOT
prepend-path LD_LIBRARY_PATH \$PKG_ROOT/lib
EoF
