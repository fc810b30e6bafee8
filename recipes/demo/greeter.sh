package: greeter
version: "1.0"
requires:
  - greet
  - greetings-data
---
# A program linking the library of another package.
mkdir -p "$INSTALLROOT/bin"
cc $CFLAGS -I"$GREET_ROOT/include" -o "$INSTALLROOT/bin/greeter" \
   "$ALIBUILD_CONFIG_DIR/src/greeter/main.c" -L"$GREET_ROOT/lib" -lgreet
