package: zlib
version: "%(tag)s"
tag: v1.3.1
source: https://github.com/madler/zlib
build_requires:
  - "GCC-Toolchain:(?!osx)"
prefer_system: "(?!slc5)"
prefer_system_check: |
  printf '#include <zlib.h>\nint main(void) { return zlibVersion()[0] != ZLIB_VERSION[0]; }\n' |
    cc -xc - -lz -o /dev/null
---
#!/bin/bash -e
# zlib's configure only works in the source tree.
rsync -a --delete --exclude='**/.git' "$SOURCEDIR/" ./
./configure --prefix="$INSTALLROOT"
make ${JOBS:+-j$JOBS}
make install
rm -rf "$INSTALLROOT/share/man"

# Modulefile
mkdir -p "$INSTALLROOT/etc/modulefiles"
cat > "$INSTALLROOT/etc/modulefiles/$PKGNAME" <<EoF
#%Module1.0
set version $PKGVERSION-@@PKGREVISION@$PKGHASH@@
module-whatis "zlib \$version"
module load BASE/1.0
set PKG_ROOT \$::env(BASEDIR)/$PKGNAME/\$version
setenv ZLIB_ROOT \$PKG_ROOT
prepend-path LD_LIBRARY_PATH \$PKG_ROOT/lib
EoF
