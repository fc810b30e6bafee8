package: Xcode
version: "1.0"
system_requirement: "osx.*"
system_requirement_check: |
  xcode-select -p >/dev/null 2>&1 && xcrun --show-sdk-path >/dev/null 2>&1
system_requirement_missing: |
  The Xcode command line tools are missing. Install them with:
    xcode-select --install
---
