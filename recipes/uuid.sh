package: UUID
version: "%(tag)s"
tag: v2.39.3
# libuuid, built alone out of util-linux.
source: https://github.com/util-linux/util-linux
build_requires:
  - autotools
  - "GCC-Toolchain:(?!osx)"
prefer_system: ".*"
prefer_system_check: |
  # On macOS the uuid functions are part of libSystem.
  case "$(uname)" in Darwin) exit 0 ;; esac
  printf '#include <uuid/uuid.h>\nint main(void) { uuid_t u; uuid_generate(u); return 0; }\n' |
    cc -xc - -luuid -o /dev/null
---
#!/bin/bash -e
rsync -a --delete --exclude='**/.git' "$SOURCEDIR/" ./
./autogen.sh
./configure --prefix="$INSTALLROOT"          \
            --libdir="$INSTALLROOT/lib"      \
            --disable-all-programs           \
            --enable-libuuid                 \
            --disable-nls                    \
            --disable-static                 \
            --disable-bash-completion        \
            --disable-makeinstall-chown      \
            --disable-makeinstall-setuid     \
            --without-systemd                \
            --without-python
make ${JOBS:+-j$JOBS}
make install
rm -f "$INSTALLROOT"/lib/*.la
rm -rf "$INSTALLROOT/share" "$INSTALLROOT/sbin" "$INSTALLROOT/bin"

# Modulefile
mkdir -p "$INSTALLROOT/etc/modulefiles"
cat > "$INSTALLROOT/etc/modulefiles/$PKGNAME" <<EoF
#%Module1.0
set version $PKGVERSION-@@PKGREVISION@$PKGHASH@@
module-whatis "libuuid (util-linux) \$version"
module load BASE/1.0
set PKG_ROOT \$::env(BASEDIR)/$PKGNAME/\$version
setenv UUID_ROOT \$PKG_ROOT
prepend-path LD_LIBRARY_PATH \$PKG_ROOT/lib
EoF
