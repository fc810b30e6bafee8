package: GCC-Toolchain
version: "%(tag_basename)s"
tag: v13.2.0-alice1
# ALICE's bundle of binutils + gcc (with gmp, mpfr, mpc and isl in-tree).
source: https://github.com/alisw/gcc-toolchain
build_requires:
  - autotools
prepend_path:
  LD_LIBRARY_PATH: "$GCC_TOOLCHAIN_ROOT/lib64"
# Sites normally have a usable compiler: only build ours when the host's gcc
# is too old or incomplete (no g++ or gfortran).
prefer_system: ".*"
prefer_system_check: |
  set -e
  type gcc g++ gfortran > /dev/null 2>&1 || { echo "gcc, g++ and gfortran are all needed"; exit 1; }
  # ROOT 6.32 and AliRoot are built as C++17: require at least GCC 10.
  printf '#if defined(__clang__) || !defined(__GNUC__) || __GNUC__ < 10\n#error "the system compiler is older than GCC 10"\n#endif\n' |
    g++ -xc++ - -c -o /dev/null
---
#!/bin/bash -e
# Our own flags (from the defaults) are not meant for bootstrapping gcc.
unset CFLAGS CXXFLAGS CPPFLAGS LDFLAGS

case $ARCHITECTURE in
  *_x86-64)  TRIPLET=x86_64-unknown-linux-gnu ;;
  *_aarch64) TRIPLET=aarch64-unknown-linux-gnu ;;
  *)         TRIPLET= ;;
esac

rsync -a --delete --exclude='**/.git' "$SOURCEDIR/" ./

# In-tree prerequisites come from git, regenerate their build systems.
for d in {,gcc/}{gmp,mpfr,mpc,isl}; do
  if [ -d "$d" ]; then (cd "$d" && autoreconf -ivf); fi
done

mkdir -p build-binutils
pushd build-binutils
  ../binutils/configure --prefix="$INSTALLROOT"                  \
                        ${TRIPLET:+--build=$TRIPLET --host=$TRIPLET} \
                        --enable-ld=default --enable-gold=no     \
                        --enable-lto --enable-plugins            \
                        --disable-gprofng --disable-nls          \
                        --disable-werror
  make ${JOBS:+-j$JOBS} MAKEINFO=true
  make install MAKEINFO=true
popd
export PATH="$INSTALLROOT/bin:$PATH"

mkdir -p build-gcc
pushd build-gcc
  ../gcc/configure --prefix="$INSTALLROOT"                      \
                   ${TRIPLET:+--build=$TRIPLET --host=$TRIPLET} \
                   --enable-languages=c,c++,fortran             \
                   --disable-multilib --disable-nls             \
                   --enable-lto --enable-ld=default
  make ${JOBS:+-j$JOBS} bootstrap-lean MAKEINFO=true
  make install MAKEINFO=true
popd
ln -sf gcc "$INSTALLROOT/bin/cc"
rm -f "$INSTALLROOT"/lib/*.la "$INSTALLROOT"/lib64/*.la

# Smoke test: our compiler, our linker, our libstdc++.
export LD_LIBRARY_PATH="$INSTALLROOT/lib64:$INSTALLROOT/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
printf '#include <iostream>\nint main() { std::cout << "ok" << std::endl; }\n' > smoke.cxx
"$INSTALLROOT/bin/g++" -std=c++17 smoke.cxx -o smoke
./smoke

# Modulefile
mkdir -p "$INSTALLROOT/etc/modulefiles"
cat > "$INSTALLROOT/etc/modulefiles/$PKGNAME" <<EoF
#%Module1.0
set version $PKGVERSION-@@PKGREVISION@$PKGHASH@@
module-whatis "GCC toolchain (binutils + gcc) \$version"
module load BASE/1.0
set PKG_ROOT \$::env(BASEDIR)/$PKGNAME/\$version
setenv GCC_TOOLCHAIN_ROOT \$PKG_ROOT
prepend-path PATH \$PKG_ROOT/bin
prepend-path LD_LIBRARY_PATH \$PKG_ROOT/lib
prepend-path LD_LIBRARY_PATH \$PKG_ROOT/lib64
EoF
