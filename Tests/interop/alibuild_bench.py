#!/usr/bin/env python3
"""Time aliBuild's in-process resolution and hashing, for a benchmark.

Usage:
  alibuild_bench.py --config-dir DIR --defaults D --arch A --repeat N
                    [--warmup W] [any other alibuild_plan.py option] PKG...

Runs exactly the code path of alibuild_plan.py (readDefaults, parseDefaults,
getPackageList with the real bash checks, the doBuild steps up to storeHashes)
N times in one process, after importing aliBuild (the import is not timed) and
after W untimed warm-up runs (default 0). Each run re-reads every recipe, as
aliBuild does. Prints one JSON object:

  {"runs": N, "median_seconds": .., "min_seconds": .., "max_seconds": ..,
   "mean_seconds": .., "first_seconds": .., "peak_rss_bytes": ..,
   "baseline_rss_bytes": .., "packages": ..,
   "error": null | "..."}

peak_rss_bytes is this process's high-water mark (ru_maxrss) after all runs;
baseline_rss_bytes the same mark right after importing aliBuild, before any
run. Check subprocesses (bash) are not included.
"""

import json
import resource
import statistics
import sys
import time
from os.path import abspath, dirname

sys.path.insert(0, dirname(abspath(__file__)))
import alibuild_plan  # noqa: E402  (re-execs into the project venv if needed)


def max_rss_bytes(who) -> int:
  return resource.getrusage(who).ru_maxrss * 1024  # Linux reports KiB


def main(argv=None) -> int:
  parser = alibuild_plan.build_parser("Time aliBuild's resolution + hashing.")
  parser.add_argument("--repeat", type=int, default=5, help="timed runs (default 5)")
  parser.add_argument("--warmup", type=int, default=0, help="untimed runs first (default 0)")
  args = parser.parse_args(sys.argv[1:] if argv is None else argv)
  alibuild_plan.check_required(parser, args)
  if args.repeat < 1:
    parser.error("--repeat must be at least 1")

  alibuild_plan.quiet_alibuild_logging()
  make_plan = alibuild_plan.plan_factory(args)
  baseline = max_rss_bytes(resource.RUSAGE_SELF)
  for _ in range(args.warmup):
    make_plan().run()
  times, result = [], None
  for _ in range(args.repeat):
    plan = make_plan()
    start = time.perf_counter()
    result = plan.run()
    times.append(time.perf_counter() - start)
  print(json.dumps({
      "runs": args.repeat,
      "median_seconds": statistics.median(times),
      "min_seconds": min(times),
      "max_seconds": max(times),
      "mean_seconds": statistics.fmean(times),
      "first_seconds": times[0],
      "peak_rss_bytes": max_rss_bytes(resource.RUSAGE_SELF),
      "baseline_rss_bytes": baseline,
      "packages": len(result["order"]),
      "error": result["error"],
  }, sort_keys=True, indent=2))
  return 0


if __name__ == "__main__":
  sys.exit(main())
