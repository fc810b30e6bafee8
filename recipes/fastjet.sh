package: fastjet
version: "%(tag_basename)s"
tag: "v3.4.1_1.052-alice2"
# ALICE's import of FastJet together with fjcontrib (subdirectories fastjet/
# and fjcontrib/).
source: https://github.com/alisw/fastjet
requires:
  - "GCC-Toolchain:(?!osx)"
build_requires:
  - autotools
env:
  FASTJET: "$FASTJET_ROOT"
# Appended, so that AliRoot's own headers stay in front.
append_path:
  ROOT_INCLUDE_PATH: "$FASTJET_ROOT/include"
---
#!/bin/bash -e
rsync -a --delete --exclude='**/.git' "$SOURCEDIR/" ./

pushd fastjet
  autoreconf -ivf
  ./configure --prefix="$INSTALLROOT"  \
              --enable-shared          \
              --disable-static         \
              --disable-cgal           \
              --enable-allcxxplugins
  make ${JOBS:+-j$JOBS}
  make install
popd

pushd fjcontrib
  ./configure --fastjet-config="$INSTALLROOT/bin/fastjet-config" \
              CXXFLAGS="$CXXFLAGS" CFLAGS="$CFLAGS"
  make ${JOBS:+-j$JOBS}
  make install
  make fragile-shared ${JOBS:+-j$JOBS}
  make fragile-shared-install
popd
rm -f "$INSTALLROOT"/lib/*.la

# Modulefile
mkdir -p "$INSTALLROOT/etc/modulefiles"
cat > "$INSTALLROOT/etc/modulefiles/$PKGNAME" <<EoF
#%Module1.0
set version $PKGVERSION-@@PKGREVISION@$PKGHASH@@
module-whatis "FastJet + fjcontrib \$version"
module load BASE/1.0 ${GCC_TOOLCHAIN_REVISION:+GCC-Toolchain/$GCC_TOOLCHAIN_VERSION-$GCC_TOOLCHAIN_REVISION}
set PKG_ROOT \$::env(BASEDIR)/$PKGNAME/\$version
setenv FASTJET_ROOT \$PKG_ROOT
setenv FASTJET \$PKG_ROOT
prepend-path PATH \$PKG_ROOT/bin
prepend-path LD_LIBRARY_PATH \$PKG_ROOT/lib
append-path ROOT_INCLUDE_PATH \$PKG_ROOT/include
EoF
