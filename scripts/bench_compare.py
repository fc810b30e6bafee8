#!/usr/bin/env python3
"""Time two commands side by side, alternating A B A B ..., and print medians and the ratio.

  bench_compare.py --runs N --label NAME [--settle 'COMMAND'] -- 'COMMAND A' 'COMMAND B'

Each run is a whole process (wall time from fork to exit, peak RSS of that child).
Prints one JSON line: {"label", "a_median_s", "b_median_s", "ratio_b_over_a",
"a_peak_mb", "b_peak_mb", "runs"}. Exit status of the commands is ignored
(aliBuild's `deps` always exits 1), but their output is discarded.
--settle runs a command, untimed, before every run (warm-up included): `sync` makes
each run start with the disk's earlier writes done, so that one run's writeback is
not paid by the next one.
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
    parser.add_argument("--settle", default=None)
    parser.add_argument("commands", nargs=2)
    args = parser.parse_args()
    a, b = (shlex.split(c) for c in args.commands)
    settle = shlex.split(args.settle) if args.settle else None

    def timed(command):
        if settle:
            subprocess.run(settle, check=True, stdout=subprocess.DEVNULL)
        return run_once(command)

    for _ in range(args.warmup):
        timed(a)
        timed(b)
    times_a, times_b, rss_a, rss_b = [], [], [], []
    for _ in range(args.runs):
        t, r = timed(a)
        times_a.append(t)
        rss_a.append(r)
        t, r = timed(b)
        times_b.append(t)
        rss_b.append(r)
    ma, mb = statistics.median(times_a), statistics.median(times_b)
    print(json.dumps({
        "label": args.label, "runs": args.runs, **({"settle": args.settle} if settle else {}),
        "a_median_s": round(ma, 5), "b_median_s": round(mb, 5), "ratio_b_over_a": round(mb / ma, 1),
        "a_peak_mb": round(max(rss_a), 1), "b_peak_mb": round(max(rss_b), 1),
    }))


if __name__ == "__main__":
    sys.exit(main())
