package: greet
version: "1.0"
requires:
  - "GCC-Toolchain:(?!osx)"
---
# A C library, compiled from the sources kept beside the recipes.
mkdir -p "$INSTALLROOT/lib" "$INSTALLROOT/include" "$INSTALLROOT/lib/pkgconfig"
cc $CFLAGS -fPIC -shared -DGREET_VERSION="\"$PKGVERSION\"" -Wl,-soname,libgreet.so \
   -o "$INSTALLROOT/lib/libgreet.so" "$ALIBUILD_CONFIG_DIR/src/greet/greet.c"
cp "$ALIBUILD_CONFIG_DIR/src/greet/greet.h" "$INSTALLROOT/include/"
# A file that names the install prefix: relocated when the package is installed elsewhere.
cat > "$INSTALLROOT/lib/pkgconfig/greet.pc" <<PC
prefix=$INSTALLROOT
libdir=\${prefix}/lib
includedir=\${prefix}/include
Name: greet
Version: $PKGVERSION
Description: demo greeting library
Libs: -L\${libdir} -lgreet
Cflags: -I\${includedir}
PC
