package: greetings-data
version: "2026.1"
env:
  GREETINGS_DATA: "$GREETINGS_DATA_ROOT/share/greetings"
---
# A data package: files only.
mkdir -p "$INSTALLROOT/share/greetings"
cp "$ALIBUILD_CONFIG_DIR/src/greetings-data/greeting.txt" "$INSTALLROOT/share/greetings/"
