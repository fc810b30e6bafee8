package: ROOT
version: "%(tag_basename)s"
tag: v6-32-06
source: https://github.com/root-project/root
requires:
  - "AliEn-Runtime:(?!.*ppc64)"
  - xrootd
  - GSL
  - libpng
  - lzma
  - zlib
  - libxml2
  - "OpenSSL:(?!osx)"
  - "FreeType:(?!osx)"
  - "Xdevel:(?!osx)"
  - "opengl:(?!osx)"
  - Python
  - "GCC-Toolchain:(?!osx)"
build_requires:
  - CMake
  - "Xcode:(osx.*)"
env:
  ROOTSYS: "$ROOT_ROOT"
prepend_path:
  PYTHONPATH: "$ROOT_ROOT/lib"
  ROOT_DYN_PATH: "$ROOT_ROOT/lib"
incremental_recipe: |
  cmake --build . --target install ${JOBS:+-j $JOBS}
  mkdir -p "$INSTALLROOT/etc/modulefiles"
  rsync -a --delete etc/modulefiles/ "$INSTALLROOT/etc/modulefiles/"
---
#!/bin/bash -e
# The big externals come from our packages (or from the host when a package
# was taken from the system); only small helpers use ROOT's builtins (lz4 and
# zstd are downloaded by ROOT's own CMake).
CMAKE_PREFIX_PATH=
for P in $XROOTD_ROOT $GSL_ROOT $LIBPNG_ROOT $LZMA_ROOT $ZLIB_ROOT $LIBXML2_ROOT \
         $OPENSSL_ROOT $FREETYPE_ROOT $PYTHON_ROOT $ALIEN_RUNTIME_ROOT; do
  CMAKE_PREFIX_PATH="$CMAKE_PREFIX_PATH${CMAKE_PREFIX_PATH:+;}$P"
done

case $ARCHITECTURE in
  osx*) GRAPHICS="-Dcocoa=ON -Dx11=OFF -Dbuiltin_freetype=ON" ;;
  *)    GRAPHICS="-Dcocoa=OFF -Dx11=ON -Dbuiltin_freetype=OFF" ;;
esac

PYTHON_EXECUTABLE=$(PATH="${PYTHON_ROOT:+$PYTHON_ROOT/bin:}$PATH" command -v python3)

cmake "$SOURCEDIR"                                        \
      -DCMAKE_INSTALL_PREFIX="$INSTALLROOT"               \
      -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}"   \
      -DCMAKE_CXX_STANDARD="${CXXSTD:-17}"                \
      ${CMAKE_PREFIX_PATH:+-DCMAKE_PREFIX_PATH="$CMAKE_PREFIX_PATH"} \
      -Dfail-on-missing=ON                                \
      -Dgnuinstall=OFF                                    \
      -Dsoversion=ON                                      \
      -Dshared=ON                                         \
      $GRAPHICS                                           \
      -Dopengl=ON                                         \
      -Dasimage=ON                                        \
      -Dgdml=ON                                           \
      -Dhttp=ON                                           \
      -Dmathmore=ON -Dbuiltin_gsl=OFF                     \
      -Dminuit2=ON                                        \
      -Droofit=ON                                         \
      -Dpyroot=ON -DPython3_EXECUTABLE="$PYTHON_EXECUTABLE" \
      -Dxrootd=ON -Dbuiltin_xrootd=OFF                    \
      ${XROOTD_ROOT:+-DXROOTD_ROOT_DIR="$XROOTD_ROOT"}    \
      -Dssl=ON -Dbuiltin_openssl=OFF                      \
      ${OPENSSL_ROOT:+-DOPENSSL_ROOT_DIR="$OPENSSL_ROOT"} \
      -Dxml=ON                                            \
      -Dbuiltin_zlib=OFF -Dbuiltin_lzma=OFF               \
      -Dbuiltin_pcre=ON -Dbuiltin_xxhash=ON               \
      -Dbuiltin_lz4=ON -Dbuiltin_zstd=ON                  \
      -Dbuiltin_nlohmannjson=ON                           \
      -Dimt=OFF -Dvdt=OFF -Dclad=OFF -Dvc=OFF             \
      -Ddavix=OFF -Dfftw3=OFF -Dfitsio=OFF -Dmysql=OFF    \
      -Dpgsql=OFF -Dsqlite=OFF -Doracle=OFF -Dgfal=OFF    \
      -Dmonalisa=OFF -Darrow=OFF -Dr=OFF -Dtmva-pymva=OFF \
      -Dwebgui=OFF -Droot7=OFF -Dtesting=OFF
cmake --build . --target install ${JOBS:+-j $JOBS}

# Modulefile, kept in the build directory too for the incremental recipe.
mkdir -p etc/modulefiles
cat > etc/modulefiles/$PKGNAME <<EoF
#%Module1.0
set version $PKGVERSION-@@PKGREVISION@$PKGHASH@@
module-whatis "ROOT \$version"
module load BASE/1.0 ${GCC_TOOLCHAIN_REVISION:+GCC-Toolchain/$GCC_TOOLCHAIN_VERSION-$GCC_TOOLCHAIN_REVISION} ${ALIEN_RUNTIME_REVISION:+AliEn-Runtime/$ALIEN_RUNTIME_VERSION-$ALIEN_RUNTIME_REVISION} ${XROOTD_REVISION:+xrootd/$XROOTD_VERSION-$XROOTD_REVISION} ${GSL_REVISION:+GSL/$GSL_VERSION-$GSL_REVISION} ${LIBPNG_REVISION:+libpng/$LIBPNG_VERSION-$LIBPNG_REVISION} ${LZMA_REVISION:+lzma/$LZMA_VERSION-$LZMA_REVISION} ${ZLIB_REVISION:+zlib/$ZLIB_VERSION-$ZLIB_REVISION} ${LIBXML2_REVISION:+libxml2/$LIBXML2_VERSION-$LIBXML2_REVISION} ${OPENSSL_REVISION:+OpenSSL/$OPENSSL_VERSION-$OPENSSL_REVISION} ${FREETYPE_REVISION:+FreeType/$FREETYPE_VERSION-$FREETYPE_REVISION} ${PYTHON_REVISION:+Python/$PYTHON_VERSION-$PYTHON_REVISION}
set PKG_ROOT \$::env(BASEDIR)/$PKGNAME/\$version
setenv ROOT_ROOT \$PKG_ROOT
setenv ROOTSYS \$PKG_ROOT
prepend-path PATH \$PKG_ROOT/bin
prepend-path LD_LIBRARY_PATH \$PKG_ROOT/lib
prepend-path PYTHONPATH \$PKG_ROOT/lib
prepend-path ROOT_DYN_PATH \$PKG_ROOT/lib
EoF
mkdir -p "$INSTALLROOT/etc/modulefiles"
rsync -a --delete etc/modulefiles/ "$INSTALLROOT/etc/modulefiles/"
