package: GEANT3
version: "%(tag_basename)s"
tag: v4-4
source: https://github.com/vmc-project/geant3
requires:
  - ROOT
  - VMC
  - "GCC-Toolchain:(?!osx)"
build_requires:
  - CMake
  - "Xcode:(osx.*)"
env:
  GEANT3DIR: "$GEANT3_ROOT"
prepend_path:
  ROOT_INCLUDE_PATH:
    - "$GEANT3_ROOT/include/TGeant3"
    - "$GEANT3_ROOT/include"
---
#!/bin/bash -e
# GEANT3 is Fortran 77: recent gfortran needs to be told to accept it.
FFLAGS="-fallow-argument-mismatch -fallow-invalid-boz"
cmake "$SOURCEDIR"                                      \
      -DCMAKE_INSTALL_PREFIX="$INSTALLROOT"             \
      -DCMAKE_INSTALL_LIBDIR=lib                        \
      -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" \
      -DCMAKE_Fortran_FLAGS="$FFLAGS"                   \
      -DROOT_DIR="$ROOT_ROOT/cmake"                     \
      -DVMC_DIR="$VMC_ROOT/lib/cmake/VMC"
cmake --build . --target install ${JOBS:+-j $JOBS}

# Modulefile
mkdir -p "$INSTALLROOT/etc/modulefiles"
cat > "$INSTALLROOT/etc/modulefiles/$PKGNAME" <<EoF
#%Module1.0
set version $PKGVERSION-@@PKGREVISION@$PKGHASH@@
module-whatis "GEANT3 with its VMC interface \$version"
module load BASE/1.0 ROOT/$ROOT_VERSION-$ROOT_REVISION VMC/$VMC_VERSION-$VMC_REVISION ${GCC_TOOLCHAIN_REVISION:+GCC-Toolchain/$GCC_TOOLCHAIN_VERSION-$GCC_TOOLCHAIN_REVISION}
set PKG_ROOT \$::env(BASEDIR)/$PKGNAME/\$version
setenv GEANT3_ROOT \$PKG_ROOT
setenv GEANT3DIR \$PKG_ROOT
prepend-path LD_LIBRARY_PATH \$PKG_ROOT/lib
prepend-path ROOT_INCLUDE_PATH \$PKG_ROOT/include
prepend-path ROOT_INCLUDE_PATH \$PKG_ROOT/include/TGeant3
EoF
