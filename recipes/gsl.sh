package: GSL
version: "v2.7.1"
tag: release-2-7-1
source: https://git.savannah.gnu.org/git/gsl.git
build_requires:
  - autotools
  - "GCC-Toolchain:(?!osx)"
# ROOT's MathMore needs GSL 2.x.
prefer_system: "(?!slc5)"
prefer_system_check: |
  printf '#include <gsl/gsl_version.h>\n#if GSL_MAJOR_VERSION < 2\n#error "GSL 2 or later is needed"\n#endif\nint main(void) { return 0; }\n' |
    cc -xc - $(gsl-config --cflags 2>/dev/null) -lgsl -lgslcblas -lm -o /dev/null
---
#!/bin/bash -e
rsync -a --delete --exclude='**/.git' "$SOURCEDIR/" ./
./autogen.sh
./configure --prefix="$INSTALLROOT"        \
            --libdir="$INSTALLROOT/lib"    \
            --enable-maintainer-mode       \
            --disable-static
make ${JOBS:+-j$JOBS}
make install
rm -f "$INSTALLROOT"/lib/*.la
rm -rf "$INSTALLROOT/share/info" "$INSTALLROOT/share/man"

# Modulefile
mkdir -p "$INSTALLROOT/etc/modulefiles"
cat > "$INSTALLROOT/etc/modulefiles/$PKGNAME" <<EoF
#%Module1.0
set version $PKGVERSION-@@PKGREVISION@$PKGHASH@@
module-whatis "GNU Scientific Library \$version"
module load BASE/1.0
set PKG_ROOT \$::env(BASEDIR)/$PKGNAME/\$version
setenv GSL_ROOT \$PKG_ROOT
prepend-path PATH \$PKG_ROOT/bin
prepend-path LD_LIBRARY_PATH \$PKG_ROOT/lib
EoF
