#!/usr/bin/env bash
# `make fuzz`: runs the recipe-parser and JDL-parser fuzzers (libFuzzer + AddressSanitizer),
# each for a bounded time, seeded with recipes/ and examples/jdl/. FUZZ_SECONDS (default 60)
# bounds each run.
#
# SwiftPM links executables with `--defsym main=<target>_main`, which collides with the
# `main` of `-sanitize=fuzzer`'s runtime; so the code is instrumented by hand and linked with
# libFuzzer's no-main runtime, and Fuzz/Sources/RecipeFuzzer/main.swift calls its driver.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
clang_rt=$(dirname "$(command -v swift)")/../lib/clang
runtime=$(find "$clang_rt" -name 'libclang_rt.fuzzer_no_main-x86_64.a' | head -1)
[ -n "$runtime" ] || { echo "fuzz: libFuzzer runtime not found under $clang_rt" >&2; exit 1; }
echo "fuzz: building Fuzz/ with coverage instrumentation and AddressSanitizer"
swift build -c release --package-path Fuzz \
  -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp \
  -Xcc -fsanitize=fuzzer-no-link,address -Xlinker "$runtime" -Xlinker -lstdc++ 2>&1 | tail -1
bin=$(swift build -c release --package-path Fuzz --show-bin-path)
mkdir -p .build-fuzz-corpus/recipes .build-fuzz-corpus/jdl
cp recipes/*.sh .build-fuzz-corpus/recipes/
cp examples/jdl/*.jdl .build-fuzz-corpus/jdl/
for fuzzer in RecipeFuzzer:recipes JDLFuzzer:jdl; do
  name=${fuzzer%%:*}; corpus=.build-fuzz-corpus/${fuzzer##*:}
  echo "fuzz: running $name for ${seconds}s (corpus $corpus)"
  "$bin/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 "$corpus"
done
