package: opengl
version: "1.0"
system_requirement: "(?!osx)"
system_requirement_check: |
  printf '#include <GL/gl.h>\n#include <GL/glu.h>\nint main(void) { return 0; }\n' |
    cc -xc - -lGL -lGLU -o /dev/null
system_requirement_missing: |
  OpenGL and GLU development files are missing.
    * RHEL / Alma / Rocky: dnf install mesa-libGL-devel mesa-libGLU-devel
    * Ubuntu / Debian:     apt-get install libgl1-mesa-dev libglu1-mesa-dev
---
