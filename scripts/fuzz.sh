#!/usr/bin/env bash
# `make fuzz`: runs the recipe-header fuzzer (libFuzzer + AddressSanitizer) for a bounded
# time, seeded with the shipped recipes. FUZZ_SECONDS (default 60) bounds the run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
echo "fuzz: building Fuzz/ with -sanitize=fuzzer,address"
swift build -c release --package-path Fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 | tail -1
bin=$(swift build -c release --package-path Fuzz --show-bin-path)/RecipeFuzzer
corpus=.build-fuzz-corpus/recipes
mkdir -p "$corpus"
cp recipes/*.sh "$corpus/"
echo "fuzz: running RecipeFuzzer for ${seconds}s (corpus $corpus)"
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 "$corpus"
