#!/usr/bin/env python3
"""Generate recipe sets and resolve each with aliBuild, to show the mix is useful.

Usage:
  check_generated.py --first-seed S --count N [--shape random|stack] [--packages K]
                     [--cycle-every M] [--determinism] [--keep DIR] [--verbose]

For each seed S..S+N-1: gen_recipes.py writes a set into a temporary directory
(or DIR/seed-<n> with --keep), then alibuild_plan.py resolves it with the
arguments from case.json, in a fresh process. The summary counts sets that
resolved, sets where aliBuild failed (split into planted errors and unplanned
ones), sets where a planted error did not fire, and shows the failure
messages by kind. --determinism runs alibuild_plan.py twice per set with
different PYTHONHASHSEED values and compares the two outputs (only the error
message when aliBuild failed: the partial state follows the build order). The exit status
is 1 when the harness itself misbehaves (non-JSON output, non-determinism).
"""

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from os.path import abspath, dirname, join

HERE = dirname(abspath(__file__))
sys.path.insert(0, HERE)
import gen_recipes  # noqa: E402  (after the path tweak; re-execs into the venv if needed)

PLAN = join(HERE, "alibuild_plan.py")


def plan_command(config_dir: str, case: dict, refs_file: str) -> list:
  """alibuild_plan.py arguments for one generated case."""
  cmd = [sys.executable, PLAN, "--config-dir", config_dir, "--defaults", case["defaults"],
         "--arch", case["arch"], "--date", case["date"], "--git-refs", refs_file,
         "--alidist-branch", case.get("alidist_branch", "master")]
  if case["disable"]:
    cmd += ["--disable", ",".join(case["disable"])]
  if case.get("no_system") == "*":
    cmd.append("--no-system")
  elif case.get("no_system"):
    cmd.append("--no-system-packages=" + case["no_system"])
  return cmd + ["--"] + case["targets"]


def error_kind(message: str) -> str:
  """A short, name-free label for an aliBuild failure message."""
  first = message.strip().splitlines()[0] if message.strip() else message
  first = re.sub(r"/\S+", "<path>", first)
  rules = (("Dependency cycle detected", "cycle"),
           ("not compatible with the packages", "valid_defaults violated"),
           ("system requirements and could not be found", "system requirement failed"),
           ("cannot have a recipe", "system requirement with a recipe"),
           ("should be spelt", "wrong case in requires"),
           ("not found in", "missing recipe"),
           ("version must be a string", "version not a string"),
           ("Unable to parse", "YAML error"),
           ("Malformed header", "malformed header"),
           ("overrides should be a dictionary", "overrides not a mapping"),
           ("Default `", "missing defaults file"))
  for needle, label in rules:
    if needle in first:
      return label
  return re.sub(r"'[^']*'", "'…'", first)[:80]


def run_case(seed: int, args, workdir: str):
  out = join(workdir, "seed-%d" % seed)
  gen = gen_recipes.Generator(seed, args.packages, args.shape,
                              cycle=bool(args.cycle_every) and seed % args.cycle_every == 0,
                              error_rate=args.error_rate)
  gen.build()
  case = gen.write(out)
  refs_file = join(out, "git_refs.json")
  with open(refs_file, "w", encoding="utf-8") as f:
    json.dump(case["git_refs"], f)
  cmd = plan_command(out, case, refs_file)
  outputs = []
  for hashseed in (("0", "12345") if args.determinism else ("random",)):
    env = dict(os.environ, PYTHONHASHSEED=hashseed)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    try:
      outputs.append(json.loads(proc.stdout))
    except ValueError:
      return case, None, "non-JSON output (rc=%d): %s" % (proc.returncode, proc.stderr[-500:])
  if len(outputs) == 2:
    first, second = outputs
    # After a failure the partial state (e.g. which packages already have a
    # commit_hash) follows the build order, which depends on PYTHONHASHSEED;
    # only the message has to agree then.
    same = (first["error"] == second["error"]) if first["error"] or second["error"] \
        else first == second
    if not same:
      return case, first, "output differs between PYTHONHASHSEED values"
  return case, outputs[0], None


def main(argv=None) -> int:
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
  parser.add_argument("--first-seed", type=int, default=1)
  parser.add_argument("--count", type=int, default=20)
  parser.add_argument("--shape", choices=("random", "stack"), default="random")
  parser.add_argument("--packages", type=int, default=None)
  parser.add_argument("--error-rate", type=float, default=0.15)
  parser.add_argument("--cycle-every", type=int, default=0,
                      help="plant a cycle in every M-th seed (0: never)")
  parser.add_argument("--determinism", action="store_true")
  parser.add_argument("--keep", metavar="DIR", help="keep the generated sets here")
  parser.add_argument("--verbose", action="store_true")
  args = parser.parse_args(argv)

  workdir = args.keep or tempfile.mkdtemp(prefix="check_generated_")
  os.makedirs(workdir, exist_ok=True)
  started = time.monotonic()
  counts = collections.Counter()
  kinds = collections.Counter()
  features = collections.Counter()
  closure_sizes, harness_problems = [], []
  try:
    for seed in range(args.first_seed, args.first_seed + args.count):
      case, result, problem = run_case(seed, args, workdir)
      features.update(case["features"])
      planted = case["expect_error"]
      if problem:
        harness_problems.append((seed, problem))
        counts["harness problem"] += 1
        status = "HARNESS " + problem
      elif result["error"] is None:
        closure_sizes.append(len(result["order"]))
        pkgs = result["packages"].values()
        counts["packages resolved"] += len(result["order"])
        counts["packages on a branch commit"] += sum(
            p["commit_hash"] not in ("0", p["tag"]) for p in pkgs)
        counts["packages on a tag (source hashed)"] += sum(p["commit_hash"] == p["tag"] for p in pkgs)
        counts["disabled names (incl. system)"] += len(result["disabled"])
        counts["resolved" if not planted else "resolved despite a planted error"] += 1
        status = "ok (%d packages)" % len(result["order"])
      else:
        kind = error_kind(result["error"])
        kinds[(kind, "planted " + planted if planted else "unplanned")] += 1
        counts["aliBuild failed (planted)" if planted else "aliBuild failed (unplanned)"] += 1
        status = "error [%s] %s" % (planted or "unplanned", kind)
      if args.verbose:
        print("seed %d: %s" % (seed, status))
  finally:
    if not args.keep:
      shutil.rmtree(workdir, ignore_errors=True)
  elapsed = time.monotonic() - started

  print("seeds %d..%d, shape %s: %d sets in %.1f s (%.2f s per set)" % (
      args.first_seed, args.first_seed + args.count - 1, args.shape, args.count,
      elapsed, elapsed / max(1, args.count)))
  for label in ("resolved", "aliBuild failed (planted)", "aliBuild failed (unplanned)",
                "resolved despite a planted error", "harness problem"):
    print("  %-34s %d" % (label, counts[label]))
  if counts["packages resolved"]:
    print("  over resolved sets: %d packages, %d on a branch commit, %d on a tag, "
          "%d disabled names" % (counts["packages resolved"], counts["packages on a branch commit"],
                                 counts["packages on a tag (source hashed)"],
                                 counts["disabled names (incl. system)"]))
  if closure_sizes:
    print("  packages in resolved plans: min %d, median %d, max %d" % (
        min(closure_sizes), sorted(closure_sizes)[len(closure_sizes) // 2], max(closure_sizes)))
  print("failures by kind:")
  for (kind, why), n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])):
    print("  %3d  %-40s %s" % (n, kind, why))
  print("feature coverage (sets):")
  print("  " + ", ".join("%s %d" % kv for kv in sorted(features.items())))
  for seed, problem in harness_problems:
    print("HARNESS PROBLEM seed %d: %s" % (seed, problem))
  return 1 if harness_problems else 0


if __name__ == "__main__":
  sys.exit(main())
