package: AliRoot
# Tracks master here; the defaults files pin the tag that is built.
version: "%(commit_hash)s%(defaults_upper)s"
tag: master
source: https://github.com/alisw/AliRoot
requires:
  - ROOT
  - GEANT3
  - Vc
  - "fastjet:(?!.*ppc64)"
build_requires:
  - CMake
  - "Xcode:(osx.*)"
valid_defaults:
  - release
  - root6next
env:
  ALICE_ROOT: "$ALIROOT_ROOT"
prepend_path:
  ROOT_INCLUDE_PATH: "$ALIROOT_ROOT/include"
incremental_recipe: |
  cmake --build . --target install ${JOBS:+-j $JOBS}
  ctest -R load_library --output-on-failure ${JOBS:+-j $JOBS}
  mkdir -p "$INSTALLROOT/etc/modulefiles"
  rsync -a --delete etc/modulefiles/ "$INSTALLROOT/etc/modulefiles/"
---
#!/bin/bash -e
cmake "$SOURCEDIR"                                        \
      -DCMAKE_INSTALL_PREFIX="$INSTALLROOT"               \
      -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}"   \
      -DCMAKE_CXX_STANDARD="${CXXSTD:-17}"                \
      -DROOTSYS="$ROOT_ROOT"                              \
      ${FASTJET_ROOT:+-DFASTJET="$FASTJET_ROOT"}          \
      ${VC_ROOT:+-DVc_DIR="$VC_ROOT/lib/cmake/Vc"}        \
      -DOCDB_INSTALL=PLACEHOLDER
cmake --build . --target install ${JOBS:+-j $JOBS}
# The library loading tests are cheap and catch missing dictionaries.
ctest -R load_library --output-on-failure ${JOBS:+-j $JOBS}
rsync -a "$SOURCEDIR/test/" "$INSTALLROOT/test/"

# Modulefile, kept in the build directory too for the incremental recipe.
mkdir -p etc/modulefiles
cat > etc/modulefiles/$PKGNAME <<EoF
#%Module1.0
set version $PKGVERSION-@@PKGREVISION@$PKGHASH@@
module-whatis "AliRoot \$version"
module load BASE/1.0 ROOT/$ROOT_VERSION-$ROOT_REVISION GEANT3/$GEANT3_VERSION-$GEANT3_REVISION Vc/$VC_VERSION-$VC_REVISION ${FASTJET_REVISION:+fastjet/$FASTJET_VERSION-$FASTJET_REVISION}
set PKG_ROOT \$::env(BASEDIR)/$PKGNAME/\$version
setenv ALIROOT_ROOT \$PKG_ROOT
setenv ALICE_ROOT \$PKG_ROOT
prepend-path PATH \$PKG_ROOT/bin
prepend-path LD_LIBRARY_PATH \$PKG_ROOT/lib
prepend-path ROOT_INCLUDE_PATH \$PKG_ROOT/include
EoF
mkdir -p "$INSTALLROOT/etc/modulefiles"
rsync -a --delete etc/modulefiles/ "$INSTALLROOT/etc/modulefiles/"
