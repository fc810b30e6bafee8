package: OpenSSL
version: "v1.1.1w"
tag: OpenSSL_1_1_1w
source: https://github.com/openssl/openssl
requires:
  - zlib
build_requires:
  - "GCC-Toolchain:(?!osx)"
# Use the host's OpenSSL when it is at least 1.1.1 (slc9 and ubuntu2204 ship
# 3.0); slc7's 1.0.2 is too old for XRootD 5 and ROOT.
prefer_system: ".*"
prefer_system_check: |
  case "$(uname)" in
    Darwin) SSL_PREFIX=$(brew --prefix openssl@3 2>/dev/null) || exit 1 ;;
    *)      SSL_PREFIX= ;;
  esac
  printf '#include <openssl/opensslv.h>\n#include <openssl/ssl.h>\n#if OPENSSL_VERSION_NUMBER < 0x10101000L\n#error "OpenSSL 1.1.1 or later is needed"\n#endif\nint main(void) { return OPENSSL_init_ssl(0, NULL) ? 0 : 1; }\n' |
    cc -xc - ${SSL_PREFIX:+-I$SSL_PREFIX/include -L$SSL_PREFIX/lib} -lssl -lcrypto -o /dev/null
---
#!/bin/bash -e
# OpenSSL builds in its source tree. Configure is a Perl script: the host's
# perl is needed here, at build time only.
rsync -a --delete --exclude='**/.git' "$SOURCEDIR/" ./

./config --prefix="$INSTALLROOT"                \
         --openssldir="$INSTALLROOT/etc/ssl"    \
         --libdir=lib                           \
         shared zlib no-tests                   \
         no-idea no-mdc2 no-rc5 no-ec2m         \
         ${ZLIB_ROOT:+--with-zlib-include="$ZLIB_ROOT/include" --with-zlib-lib="$ZLIB_ROOT/lib"}
make ${JOBS:+-j$JOBS}
make install_sw install_ssldirs

# Modulefile
mkdir -p "$INSTALLROOT/etc/modulefiles"
cat > "$INSTALLROOT/etc/modulefiles/$PKGNAME" <<EoF
#%Module1.0
set version $PKGVERSION-@@PKGREVISION@$PKGHASH@@
module-whatis "OpenSSL \$version"
module load BASE/1.0 ${ZLIB_REVISION:+zlib/$ZLIB_VERSION-$ZLIB_REVISION}
set PKG_ROOT \$::env(BASEDIR)/$PKGNAME/\$version
setenv OPENSSL_ROOT \$PKG_ROOT
prepend-path PATH \$PKG_ROOT/bin
prepend-path LD_LIBRARY_PATH \$PKG_ROOT/lib
EoF
