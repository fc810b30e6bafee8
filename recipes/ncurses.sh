package: ncurses
version: "1.0"
# Needed by Python's curses and readline modules when Python is built here.
system_requirement: "(?!osx)"
system_requirement_check: |
  printf '#include <ncurses.h>\nint main(void) { return initscr() == 0; }\n' |
    cc -xc - -lncurses -o /dev/null
system_requirement_missing: |
  The ncurses development files are missing.
    * RHEL / Alma / Rocky: dnf install ncurses-devel
    * Ubuntu / Debian:     apt-get install libncurses-dev
---
