package: Python
version: "%(tag_basename)s"
tag: v3.11.9
source: https://github.com/python/cpython
requires:
  - zlib
  - lzma
  - libffi
  - "OpenSSL:(?!osx)"
  - "ncurses:(?!osx)"
  - "GCC-Toolchain:(?!osx)"
build_requires:
  - "Xcode:(osx.*)"
# PyROOT needs a Python 3.8+ with its headers; take the host's if it has one.
prefer_system: ".*"
prefer_system_check: |
  type python3 > /dev/null 2>&1 || { echo "no python3 on this host"; exit 1; }
  python3 -c 'import os, sys, sysconfig; sys.exit(0 if sys.version_info >= (3, 8) and os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else 1)'
---
#!/bin/bash -e
# Help configure find the libraries we built ourselves (none when the host's
# copies are used). No rpaths: installed packages move, LD_LIBRARY_PATH from
# init.sh / the modulefile finds them.
for P in $ZLIB_ROOT $LZMA_ROOT $LIBFFI_ROOT; do
  CPPFLAGS="$CPPFLAGS -I$P/include"
  LDFLAGS="$LDFLAGS -L$P/lib"
done
export CPPFLAGS LDFLAGS

"$SOURCEDIR/configure" --prefix="$INSTALLROOT"                   \
                       --enable-shared                           \
                       --with-ensurepip=install                  \
                       ${OPENSSL_ROOT:+--with-openssl="$OPENSSL_ROOT"}
make ${JOBS:+-j$JOBS}
make install
ln -sf python3 "$INSTALLROOT/bin/python"
ln -sf pip3 "$INSTALLROOT/bin/pip"
find "$INSTALLROOT/lib" -name '__pycache__' -type d -prune -exec rm -rf {} +
rm -rf "$INSTALLROOT/share/man"

# Modulefile
mkdir -p "$INSTALLROOT/etc/modulefiles"
cat > "$INSTALLROOT/etc/modulefiles/$PKGNAME" <<EoF
#%Module1.0
set version $PKGVERSION-@@PKGREVISION@$PKGHASH@@
module-whatis "Python \$version"
module load BASE/1.0 ${GCC_TOOLCHAIN_REVISION:+GCC-Toolchain/$GCC_TOOLCHAIN_VERSION-$GCC_TOOLCHAIN_REVISION} ${OPENSSL_REVISION:+OpenSSL/$OPENSSL_VERSION-$OPENSSL_REVISION} ${LIBFFI_REVISION:+libffi/$LIBFFI_VERSION-$LIBFFI_REVISION} ${LZMA_REVISION:+lzma/$LZMA_VERSION-$LZMA_REVISION} ${ZLIB_REVISION:+zlib/$ZLIB_VERSION-$ZLIB_REVISION}
set PKG_ROOT \$::env(BASEDIR)/$PKGNAME/\$version
setenv PYTHON_ROOT \$PKG_ROOT
prepend-path PATH \$PKG_ROOT/bin
prepend-path LD_LIBRARY_PATH \$PKG_ROOT/lib
EoF
