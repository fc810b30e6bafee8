package: Xdevel
version: "1.0"
# X11 client libraries and headers used by ROOT's graphics on Linux.
system_requirement: "(?!osx)"
system_requirement_check: |
  printf '#include <X11/Xlib.h>\n#include <X11/xpm.h>\n#include <X11/extensions/shape.h>\n#include <X11/Xft/Xft.h>\nint main(void) { return 0; }\n' |
    cc -xc - $(pkg-config --cflags xft 2>/dev/null) -lX11 -lXpm -lXext -lXft -o /dev/null
system_requirement_missing: |
  The X11 development packages are missing.
    * RHEL / Alma / Rocky: dnf install libX11-devel libXpm-devel libXext-devel libXft-devel
    * Ubuntu / Debian:     apt-get install libx11-dev libxpm-dev libxext-dev libxft-dev
---
