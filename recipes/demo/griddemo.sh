package: GridDemo
version: "v1"
requires:
  - greeter
env:
  GRIDDEMO_MOTD: "$GRIDDEMO_ROOT/share/motd"
prepend_path:
  PATH: "$GRIDDEMO_ROOT/libexec"
---
# The top package: a wrapper script that names its own install path (relocated on install).
mkdir -p "$INSTALLROOT/libexec" "$INSTALLROOT/share"
echo "Welcome to the demo stack" > "$INSTALLROOT/share/motd"
cat > "$INSTALLROOT/libexec/hello-grid" <<SH
#!/bin/sh
cat "$INSTALLROOT/share/motd"
exec greeter "\$@"
SH
chmod +x "$INSTALLROOT/libexec/hello-grid"
