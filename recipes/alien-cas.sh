package: AliEn-CAs
version: "v1"
# The grid certification authorities trusted by AliEn, with their CRL URLs
# and signing policies.
tag: master
source: https://github.com/alisw/alien-cas
build_requires:
  - "OpenSSL:(?!osx)"
env:
  X509_CERT_DIR: "$ALIEN_CAS_ROOT/globus/share/certificates"
---
#!/bin/bash -e
DEST="$INSTALLROOT/globus/share/certificates"
mkdir -p "$DEST"
# Copy the CA material flat, links dereferenced.
find "$SOURCEDIR" -path '*/.git' -prune -o \
     \( -type f -o -type l \) \
     \( -name '*.pem' -o -name '*.[0-9]' -o -name '*.r[0-9]' -o -name '*.crl_url' \
        -o -name '*.signing_policy' -o -name '*.namespaces' -o -name '*.info' \) \
     -exec cp -L {} "$DEST/" \;
# (Re)create the <subject-hash>.N links OpenSSL looks certificates up by.
openssl rehash "$DEST" 2>/dev/null || c_rehash "$DEST"
ls "$DEST"/*.0 > /dev/null

# Modulefile
mkdir -p "$INSTALLROOT/etc/modulefiles"
cat > "$INSTALLROOT/etc/modulefiles/$PKGNAME" <<EoF
#%Module1.0
set version $PKGVERSION-@@PKGREVISION@$PKGHASH@@
module-whatis "AliEn grid CA certificates \$version"
module load BASE/1.0
set PKG_ROOT \$::env(BASEDIR)/$PKGNAME/\$version
setenv ALIEN_CAS_ROOT \$PKG_ROOT
setenv X509_CERT_DIR \$PKG_ROOT/globus/share/certificates
EoF
