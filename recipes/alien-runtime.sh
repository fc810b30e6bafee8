package: AliEn-Runtime
# No source: this is a bundle. Its version carries the defaults (e.g.
# v2-19-le_ROOT6NEXT), since the bundled XRootD differs between them.
version: "%(tag)s%(defaults_upper)s"
tag: v2-19-le
# The Perl-free AliEn runtime: the grid client stack in one prefix.
requires:
  - zlib
  - libxml2
  - OpenSSL
  - UUID
  - xrootd
  - AliEn-CAs
env:
  X509_CERT_DIR: "$ALIEN_RUNTIME_ROOT/globus/share/certificates"
prepend_path:
  PKG_CONFIG_PATH: "$ALIEN_RUNTIME_ROOT/lib/pkgconfig"
  CMAKE_PREFIX_PATH:
    - "$ALIEN_RUNTIME_ROOT"
    - "$ALIEN_RUNTIME_ROOT/lib/cmake"
---
#!/bin/bash -e
# Assemble the runtime dependencies into $INSTALLROOT. A dependency taken from
# the system has no <PKG>_ROOT and is skipped.
for DEP in $RUNTIME_REQUIRES; do
  DEP_VAR=$(echo "$DEP" | tr '[:lower:]-' '[:upper:]_')_ROOT
  DEP_ROOT=${!DEP_VAR}
  if [ -z "$DEP_ROOT" ] || [ ! -d "$DEP_ROOT" ]; then
    echo "$DEP: not built here, taken from the system"
    continue
  fi
  rsync -a --exclude=/etc/modulefiles/ --exclude=/etc/profile.d/  \
           --exclude=/.build-hash --exclude=/.meta.json            \
           --exclude=/relocate-me.sh --exclude=/.original-unrelocated \
           --exclude='*.unrelocated' --exclude=/share/man/          \
           --exclude=/share/doc/                                    \
           "$DEP_ROOT/" "$INSTALLROOT/"
  # Text files (pkg-config, cmake and *-config scripts) name the dependency's
  # prefix: point them at ours, where relocation will find and fix them.
  { grep -rlI -F "$DEP_ROOT" "$INSTALLROOT" || true; } | while IFS= read -r F; do
    sed -i.orig -e "s|$DEP_ROOT|$INSTALLROOT|g" "$F"
    rm -f "$F.orig"
  done
done

# What the bundle holds, for humans and for `alien-install doctor`.
mkdir -p "$INSTALLROOT/etc"
{
  echo "# AliEn-Runtime $PKGVERSION: bundled packages"
  for DEP in $RUNTIME_REQUIRES; do
    DEP_UP=$(echo "$DEP" | tr '[:lower:]-' '[:upper:]_')
    DEP_VERSION=${DEP_UP}_VERSION DEP_REVISION=${DEP_UP}_REVISION
    echo "$DEP ${!DEP_VERSION:-system}${!DEP_REVISION:+-${!DEP_REVISION}}"
  done
} > "$INSTALLROOT/etc/alien-runtime.manifest"

# The CA directory must be there: jobs need it to talk to the grid.
ls "$INSTALLROOT/globus/share/certificates/"*.0 > /dev/null

# Modulefile
mkdir -p "$INSTALLROOT/etc/modulefiles"
cat > "$INSTALLROOT/etc/modulefiles/$PKGNAME" <<EoF
#%Module1.0
set version $PKGVERSION-@@PKGREVISION@$PKGHASH@@
module-whatis "Perl-free AliEn runtime \$version"
module load BASE/1.0 ${ZLIB_REVISION:+zlib/$ZLIB_VERSION-$ZLIB_REVISION} ${LIBXML2_REVISION:+libxml2/$LIBXML2_VERSION-$LIBXML2_REVISION} ${OPENSSL_REVISION:+OpenSSL/$OPENSSL_VERSION-$OPENSSL_REVISION} ${UUID_REVISION:+UUID/$UUID_VERSION-$UUID_REVISION} ${XROOTD_REVISION:+xrootd/$XROOTD_VERSION-$XROOTD_REVISION} ${ALIEN_CAS_REVISION:+AliEn-CAs/$ALIEN_CAS_VERSION-$ALIEN_CAS_REVISION}
set PKG_ROOT \$::env(BASEDIR)/$PKGNAME/\$version
setenv ALIEN_RUNTIME_ROOT \$PKG_ROOT
setenv X509_CERT_DIR \$PKG_ROOT/globus/share/certificates
prepend-path PATH \$PKG_ROOT/bin
prepend-path LD_LIBRARY_PATH \$PKG_ROOT/lib
prepend-path PKG_CONFIG_PATH \$PKG_ROOT/lib/pkgconfig
prepend-path CMAKE_PREFIX_PATH \$PKG_ROOT/lib/cmake
prepend-path CMAKE_PREFIX_PATH \$PKG_ROOT
EoF
