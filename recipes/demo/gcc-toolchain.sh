package: GCC-Toolchain
version: "system"
system_requirement: ".*"
system_requirement_check: "type cc"
system_requirement_missing: "A C compiler is needed: apt-get install gcc (Debian/Ubuntu) or dnf install gcc (RHEL)."
---
