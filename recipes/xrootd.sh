package: xrootd
version: "%(tag_basename)s"
tag: v5.7.1
source: https://github.com/xrootd/xrootd
requires:
  - OpenSSL
  - zlib
  - libxml2
  - "UUID:(?!osx)"
  - "GCC-Toolchain:(?!osx)"
build_requires:
  - CMake
  - "Xcode:(osx.*)"
---
#!/bin/bash -e
# Client and server, without the optional plugins that would pull in more
# dependencies (Kerberos, VOMS, FUSE, SciTokens, davix, Python bindings).
CMAKE_PREFIX_PATH=
for P in $OPENSSL_ROOT $ZLIB_ROOT $LIBXML2_ROOT $UUID_ROOT; do
  CMAKE_PREFIX_PATH="$CMAKE_PREFIX_PATH${CMAKE_PREFIX_PATH:+;}$P"
done

cmake "$SOURCEDIR"                                      \
      -DCMAKE_INSTALL_PREFIX="$INSTALLROOT"             \
      -DCMAKE_INSTALL_LIBDIR=lib                        \
      -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" \
      ${CMAKE_PREFIX_PATH:+-DCMAKE_PREFIX_PATH="$CMAKE_PREFIX_PATH"} \
      ${OPENSSL_ROOT:+-DOPENSSL_ROOT_DIR="$OPENSSL_ROOT"} \
      -DENABLE_PYTHON=OFF                               \
      -DENABLE_KRB5=OFF                                 \
      -DENABLE_VOMS=OFF                                 \
      -DENABLE_FUSE=OFF                                 \
      -DENABLE_SCITOKENS=OFF                            \
      -DENABLE_MACAROONS=OFF                            \
      -DENABLE_XRDCLHTTP=OFF                            \
      -DENABLE_READLINE=OFF                             \
      -DENABLE_TESTS=OFF                                \
      -DXRDCL_LIB_ONLY=OFF
cmake --build . --target install ${JOBS:+-j $JOBS}
rm -rf "$INSTALLROOT/share/man"

# Modulefile
mkdir -p "$INSTALLROOT/etc/modulefiles"
cat > "$INSTALLROOT/etc/modulefiles/$PKGNAME" <<EoF
#%Module1.0
set version $PKGVERSION-@@PKGREVISION@$PKGHASH@@
module-whatis "XRootD \$version"
module load BASE/1.0 ${GCC_TOOLCHAIN_REVISION:+GCC-Toolchain/$GCC_TOOLCHAIN_VERSION-$GCC_TOOLCHAIN_REVISION} ${OPENSSL_REVISION:+OpenSSL/$OPENSSL_VERSION-$OPENSSL_REVISION} ${ZLIB_REVISION:+zlib/$ZLIB_VERSION-$ZLIB_REVISION} ${LIBXML2_REVISION:+libxml2/$LIBXML2_VERSION-$LIBXML2_REVISION} ${UUID_REVISION:+UUID/$UUID_VERSION-$UUID_REVISION}
set PKG_ROOT \$::env(BASEDIR)/$PKGNAME/\$version
setenv XROOTD_ROOT \$PKG_ROOT
prepend-path PATH \$PKG_ROOT/bin
prepend-path LD_LIBRARY_PATH \$PKG_ROOT/lib
EoF
