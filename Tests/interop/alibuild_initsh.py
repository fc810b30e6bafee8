#!/usr/bin/env python3
"""Print the etc/profile.d/init.sh aliBuild would write for every package of a plan.

  alibuild_initsh.py [alibuild_plan.py options] PKG...

Resolves exactly as alibuild_plan.py does (remote hashes), gives every package revision
"1", and calls aliBuild's own generate_initdotsh(post_build=True) for each. Prints JSON
{"error": null | "...", "init": {NAME: TEXT | null}}, null where aliBuild itself fails for the Swift InitScript differential test.
"""
import json
import sys
from os.path import abspath, dirname

sys.path.insert(0, dirname(abspath(__file__)))
import alibuild_plan  # noqa: E402  (re-execs into the project venv if needed)
from alibuild_helpers.build import generate_initdotsh  # noqa: E402


def main() -> int:
  args = alibuild_plan.parse_args(sys.argv[1:])
  plan = alibuild_plan.plan_factory(args)()
  result = plan.run()
  if result.get("error"):
    print(json.dumps({"error": result["error"], "init": {}}))
    return 0
  for spec in plan.specs.values():
    spec["revision"] = "1"
  init = {}
  for name in result["order"]:
    try:
      init[name] = generate_initdotsh(name, plan.specs, args.arch, post_build=True)
    except Exception as exc:  # aliBuild cannot write this init.sh (e.g. a non-string path)
      init[name] = None
  print(json.dumps({"error": None, "init": init}, sort_keys=True))
  return 0


if __name__ == "__main__":
  sys.exit(main())
