#!/usr/bin/env python3
"""Time two commands side by side, alternating A B A B ..., and print medians and the ratio.

  bench_compare.py --runs N --label NAME -- 'COMMAND A' 'COMMAND B'

Each run is a whole process (wall time from fork to exit, peak RSS of that child).
Prints one JSON line: {"label", "a_median_s", "b_median_s", "ratio_b_over_a",
"a_peak_mb", "b_peak_mb", "runs"}. Exit status of the commands is ignored
(aliBuild's `deps` always exits 1), but their output is discarded.
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time


def run_once(command):
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--label", required=True)
    parser.add_argument("commands", nargs=2)
    args = parser.parse_args()
    a, b = (shlex.split(c) for c in args.commands)
    for _ in range(args.warmup):
        run_once(a)
        run_once(b)
    times_a, times_b, rss_a, rss_b = [], [], [], []
    for _ in range(args.runs):
        t, r = run_once(a)
        times_a.append(t)
        rss_a.append(r)
        t, r = run_once(b)
        times_b.append(t)
        rss_b.append(r)
    ma, mb = statistics.median(times_a), statistics.median(times_b)
    print(json.dumps({
        "label": args.label, "runs": args.runs,
        "a_median_s": round(ma, 5), "b_median_s": round(mb, 5), "ratio_b_over_a": round(mb / ma, 1),
        "a_peak_mb": round(max(rss_a), 1), "b_peak_mb": round(max(rss_b), 1),
    }))


if __name__ == "__main__":
    sys.exit(main())
