#!/usr/bin/env python3
"""Resolve a set of alidist recipes with aliBuild's own code and print the plan.

This is the Python half of the differential test of alien-install's Swift
`Resolver`. It imports aliBuild (alibuild_helpers, 1.17.48) and replays what
`alibuild_helpers.build.doBuild` does from the top of the function until every
package has its hashes, fully offline:

  doBuild                                   here
  -------                                   ----
  git symbolic-ref -q HEAD in configDir  -> --alidist-branch (or :git, see below)
  readDefaults + parseDefaults           -> the same functions
  getPackageList with real bash checks   -> the same function, same check runner
  valid_defaults / failed requirements   -> the same two dieOnError conditions
  drop args.disable from the requires    -> the same three list comprehensions
  topological_sort                       -> the same function
  devel packages (glob("*") of cwd)      -> none, as with --force-tracked
  update_git_repos (clone + ls-remote)   -> spec["scm_refs"] from --git-refs
  resolve_tag / branch lookup / version  -> resolve_tag, resolve_version
  storeHashes in build order             -> storeHashes
  revision lookup -> spec["hash"]        -> --local (which packages use localN)

Everything else doBuild does in between (banners, reference mirrors, the
ALIBUILD_ALIDIST_HASH provenance lookup, analytics, full_*_requires) has no
influence on the resolution or on the hashes and is skipped.

Usage:
  alibuild_plan.py --config-dir DIR --defaults D --arch A [--disable a,b]
                   [--no-system | --no-system-packages A,B] [--always-prefer-system]
                   [--assume-system | --assume-requirements]
                   [--date YYYY-MM-DD-HH] [--git-refs FILE.json]
                   [--alidist-branch NAME|:git] [--local PKGS|*] PKG...
  alibuild_plan.py --self-test

Output (stdout, JSON, keys sorted):
  {"order": [...], "disabled": [...], "error": null | "message",
   "packages": {NAME: {"version", "hash", "local_hash", "commit_hash", "tag",
                       "requires", "build_requires", "runtime_requires"}}}
On any aliBuild failure the same object is printed with "error" set and
whatever was known at that point; the exit status is 0 in both cases.
"""

import argparse
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
from datetime import datetime
from os.path import abspath, dirname, exists, join


def _reexec_with_project_venv() -> None:
  """Without aliBuild importable, re-run this script with <repo>/.venv/bin/python."""
  venv_python = join(dirname(dirname(dirname(abspath(__file__)))), ".venv", "bin", "python")
  if exists(venv_python) and abspath(sys.executable) != venv_python:
    os.execv(venv_python, [venv_python] + sys.argv)
  sys.exit("alibuild_plan.py: cannot import alibuild_helpers (pip install alibuild==1.17.48)")


try:
  import alibuild_helpers  # noqa: F401
except ImportError:
  _reexec_with_project_venv()

from alibuild_helpers import __version__ as ALIBUILD_VERSION
from alibuild_helpers import utilities
from alibuild_helpers.build import storeHashes
from alibuild_helpers.cmd import ContainerRunner
from alibuild_helpers.git import git
from alibuild_helpers.log import debug, dieOnError
from alibuild_helpers.utilities import (
    getPackageList,
    normalise_multiple_options,
    parseDefaults,
    pruneVersionEnvVars,
    pruneWorkdirFromPaths,
    readDefaults,
    resolve_tag,
    resolve_version,
    topological_sort,
    validateDefaults,
)

# Keys of one entry of the "packages" object, in the documented shape.
PACKAGE_KEYS = ("version", "hash", "local_hash", "commit_hash", "tag",
                "requires", "build_requires", "runtime_requires")


# --------------------------------------------------------------------------
# Capturing aliBuild's error messages
# --------------------------------------------------------------------------

class ErrorCapture(logging.Handler):
  """Remember the last ERROR record logged on aliBuild's logger.

  aliBuild reports fatal conditions through dieOnError(), which logs the
  message with error() and then calls sys.exit(1). We let that SystemExit
  propagate and take the message from here.
  """

  def __init__(self) -> None:
    super().__init__(level=logging.ERROR)
    self.last = None

  def emit(self, record: logging.LogRecord) -> None:
    try:
      self.last = record.getMessage()
    except TypeError:
      # aliBuild's LogFormatter formats record.msg in place and leaves
      # record.args set; a handler running after it sees the final text.
      self.last = str(record.msg)


_CAPTURE = ErrorCapture()
# Run before aliBuild's own stream handler, which rewrites the record.
logging.getLogger("alibuild").handlers.insert(0, _CAPTURE)


def quiet_alibuild_logging() -> None:
  """Silence aliBuild's own stderr handler (the capture handler stays)."""
  from alibuild_helpers.log import logger_handler
  logger_handler.setLevel(logging.CRITICAL + 1)


class ParserError(SystemExit):
  """Stands in for argparse's parser.error, which readDefaults calls."""


def parser_error(message: str) -> None:
  # doBuild passes parser.error, which prints the message and exits with 2.
  _CAPTURE.last = message
  raise ParserError(2)


# --------------------------------------------------------------------------
# Emulated inputs: date, alidist branch, git refs
# --------------------------------------------------------------------------

def fix_date(date_text: str) -> None:
  """Pin aliBuild's import-time `nowKwds` (year, month, day, hour).

  resolve_version and resolve_tag read the module global at call time, so
  updating the dict in place is enough. The formatting mirrors
  utilities.py:146-150: year as is, the others zero-padded to two digits.
  """
  when = datetime.strptime(date_text, "%Y-%m-%d-%H")
  utilities.nowKwds.update({
      "year": str(when.year),
      "month": str(when.month).zfill(2),
      "day": str(when.day).zfill(2),
      "hour": str(when.hour).zfill(2),
  })


def branch_names(branch_value: str):
  """Derive (branch_basename, branch_stream) as doBuild does (build.py:470-476).

  doBuild runs `git symbolic-ref -q HEAD` in the config dir with check=False,
  so `value` is the command's merged stdout+stderr whatever its exit code:
    - on a branch:       "refs/heads/<name>"  -> "<name>"
    - detached HEAD:     ""                   -> ""
    - not a git repo:    "fatal: not a git repository (or any of the parent
                          directories): .git" -> that very text
  branch_stream is the basename minus a "-patches" suffix, or "" when there
  is no such suffix (resolve_version then falls back to the tag).
  """
  branch_basename = re.sub("refs/heads/", "", branch_value)
  branch_stream = re.sub("-patches$", "", branch_basename)
  if branch_stream == branch_basename:
    branch_stream = ""
  return branch_basename, branch_stream


def alidist_branch_value(config_dir: str, requested: str) -> str:
  """What doBuild's `value` would be: the given name, or git's real answer."""
  if requested == ":git":
    _, value = git(("symbolic-ref", "-q", "HEAD"), directory=config_dir, check=False)
    return value
  return requested


def scm_refs_for(spec, git_refs: dict) -> dict:
  """The `scm_refs` update_git_repos would have stored for this spec.

  aliBuild parses `git ls-remote --heads --tags <mirror>` into
  {"refs/heads/x": sha, "refs/tags/y": sha}. --git-refs lists branches per
  source URL; a key that already starts with "refs/" is taken verbatim
  (so tags for the alternative hashes can be given too).
  """
  refs = {}
  for name, sha in git_refs.get(spec["source"], {}).items():
    refs[name if name.startswith("refs/") else "refs/heads/" + name] = sha
  return refs


# --------------------------------------------------------------------------
# The doBuild replay
# --------------------------------------------------------------------------

class Plan:
  """Inputs and (partial) results of one resolution."""

  def __init__(self, config_dir, defaults, arch, targets, disable=(),
               no_system=None, prefer_system=False, git_refs=None,
               alidist_branch="master", local=(), force_rebuild=(), assume_system=False,
               assume_requirements=False):
    self.config_dir = config_dir
    self.defaults = defaults
    self.arch = arch
    self.targets = list(targets)
    # args.disable after finaliseArgs: "a,b" options split on commas.
    self.disable = normalise_multiple_options(list(disable))
    self.no_system = no_system
    self.prefer_system = prefer_system
    self.git_refs = git_refs or {}
    self.alidist_branch = alidist_branch
    self.local = set(local)
    self.force_rebuild = normalise_multiple_options(list(force_rebuild))
    # --assume-system: answer checks without running bash, as alien-install's default
    # (AssumedSystem) does: prefer checks fail, requirements pass, track_env prints "".
    self.assume_system = assume_system
    # --assume-requirements: system_requirement checks pass without running; prefer checks
    # and track_env run for real. With --no-system this is alien-install resolve's offline
    # default (aliBuild build's own default on its store architectures, noSystem="*").
    self.assume_requirements = assume_requirements
    self.specs = {}
    self.error = None

  # The replay itself. Any SystemExit/exception propagates to run().
  def _resolve(self) -> None:
    specs = self.specs
    disable = self.disable  # the very list aliBuild mutates (args.disable)

    # doBuild: pruneWorkdirFromPaths(abspath(args.workDir)); default work dir.
    pruneWorkdirFromPaths(abspath(os.environ.get("ALIBUILD_WORK_DIR")
                                  or os.environ.get("ALICE_WORK_DIR") or "sw"))

    dieOnError(not os.path.exists(self.config_dir),
               'Cannot find alidist recipes under directory "%s".' % self.config_dir)

    branch_basename, branch_stream = branch_names(
        alidist_branch_value(self.config_dir, self.alidist_branch))

    defaults_reader = lambda: readDefaults(self.config_dir, self.defaults,
                                           parser_error, self.arch)
    err, overrides, taps = parseDefaults(disable, defaults_reader, debug)
    dieOnError(err, err)

    # The check runner doBuild uses without --docker: `env K=V... bash -c CMD`
    # on the host, in a fresh temporary directory, with these variables.
    extra_env = {
        "ALIBUILD_CONFIG_DIR": abspath(self.config_dir),
        "ALIBUILD_VERSION": ALIBUILD_VERSION or "unknown",
        "ARCHITECTURE": self.arch,
        "ALIBUILD_ARCHITECTURE": self.arch,
    }
    with ContainerRunner(None, [], extra_env=extra_env, extra_volumes=[]) as run_check:
      def assumed_prefer(pkg, cmd):
        # track_env commands come through performPreferCheck too; they "print" "".
        return (1, "") if cmd.startswith("REQUESTED_VERSION=") else (0, "")

      def assumed_requirement(pkg, cmd):
        return (0, "")

      def check_in_temp_dir(pkg, cmd):
        with tempfile.TemporaryDirectory(
            prefix=f"alibuild_prefer_check_{pkg['package']}_") as temp_dir:
          return run_check(cmd, cwd=temp_dir)

      (_system, _own, failed, valid_defaults, _system_specs) = getPackageList(
          packages=self.targets,
          specs=specs,
          configDir=self.config_dir,
          preferSystem=self.prefer_system,
          noSystem=self.no_system,
          architecture=self.arch,
          disable=disable,
          force_rebuild=self.force_rebuild,
          defaults=self.defaults,
          performPreferCheck=assumed_prefer if self.assume_system else check_in_temp_dir,
          performRequirementCheck=(assumed_requirement if self.assume_system or self.assume_requirements
                                   else check_in_temp_dir),
          performValidateDefaults=lambda spec: validateDefaults(spec, self.defaults),
          overrides=overrides,
          taps=taps,
          log=debug)

    pruneVersionEnvVars()

    # build.py:551-558, verbatim conditions. Note that valid_defaults is None
    # (not a list) when the intersection over the closure became empty, and
    # that case does NOT fail.
    dieOnError(
        valid_defaults and self.defaults not in valid_defaults,
        "Specified default `%s' is not compatible with the packages you want to build.\n"
        "Valid defaults:\n\n- %s" % (self.defaults, "\n- ".join(sorted(valid_defaults or []))))
    dieOnError(
        failed,
        "The following packages are system requirements and could not be found:\n\n- %s\n\n"
        "Please run:\n\n\taliDoctor --defaults %s %s\n\nto get a full diagnosis." %
        ("\n- ".join(sorted(failed)), self.defaults, " ".join(self.targets)))

    # build.py:559-562: disabled names leave every dependency list.
    for x in specs.values():
      x["requires"] = [r for r in x["requires"] if r not in disable]
      x["build_requires"] = [r for r in x["build_requires"] if r not in disable]
      x["runtime_requires"] = [r for r in x["runtime_requires"] if r not in disable]

    build_order = list(topological_sort(specs))  # dies on a cycle

    # No development packages (doBuild would take any directory of the cwd
    # named like a package); the git mirror update is replaced by --git-refs.
    for spec in specs.values():
      spec["is_devel_pkg"] = False
      if "source" in spec:
        spec["scm_refs"] = scm_refs_for(spec, self.git_refs)

    # build.py:653-681: resolve the tag to a commit, then format the version.
    for p in build_order:
      spec = specs[p]
      spec["commit_hash"] = "0"
      if "source" in spec:
        spec["tag"] = resolve_tag(spec)
        try:
          spec["commit_hash"] = spec["scm_refs"]["refs/heads/" + spec["tag"]]
        except KeyError:
          spec["commit_hash"] = spec["tag"]
      spec["version"] = resolve_version(spec, self.defaults, branch_basename, branch_stream)

    # build.py main loop: hashes in build order; then the revision decides
    # which of the two hashes dependents see (localN -> local hash).
    for p in build_order:
      storeHashes(p, specs, considerRelocation=self.arch.startswith("osx"))
      spec = specs[p]
      use_local = "*" in self.local or p in self.local
      spec["hash"] = spec["local_revision_hash" if use_local else "remote_revision_hash"]

  def run(self) -> dict:
    """Resolve and return the JSON-ready result (never raises)."""
    _CAPTURE.last = None
    try:
      self._resolve()
    except SystemExit as exc:
      self.error = _CAPTURE.last or "aliBuild exited with status %r" % (exc.code,)
    except Exception as exc:  # an aliBuild crash is also "aliBuild failed"
      self.error = "%s: %s" % (type(exc).__name__, exc)
    return self.result()

  def result(self) -> dict:
    # args.disable can hold a non-name: with a defaults-<arch>.sh present and
    # no `disable:` in the defaults, readDefaults turns it into {} and
    # parseDefaults appends that dict. Only names are reported.
    disabled = {x for x in self.disable if isinstance(x, str)}
    order = [name for name in self.specs if name not in self.disable]
    packages = {}
    for name in order:
      spec = self.specs[name]
      entry = dict.fromkeys(PACKAGE_KEYS)
      entry["version"] = _text(spec.get("version"))
      entry["hash"] = spec.get("remote_revision_hash")
      entry["local_hash"] = spec.get("local_revision_hash")
      entry["commit_hash"] = _text(spec.get("commit_hash"))
      entry["tag"] = _text(spec.get("tag"))
      for key in ("requires", "build_requires", "runtime_requires"):
        value = spec.get(key)
        entry[key] = [_text(x) for x in value] if isinstance(value, list) else None
      packages[name] = entry
    return {"order": order, "disabled": sorted(disabled),
            "packages": packages, "error": self.error}


def _text(value):
  """str() of a scalar as aliBuild would format it (%(tag)s uses str(tag))."""
  return None if value is None else str(value)


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def build_parser(description: str) -> argparse.ArgumentParser:
  """The options shared by alibuild_plan.py and alibuild_bench.py."""
  parser = argparse.ArgumentParser(description=description)
  parser.add_argument("--config-dir", help="alidist-like directory of recipes")
  parser.add_argument("--defaults", default="o2", help="defaults name (default: o2, as aliBuild)")
  parser.add_argument("--arch", help="architecture, e.g. slc9_x86-64")
  parser.add_argument("--disable", action="append", default=[], metavar="PKGS",
                      help="comma separated; may be repeated")
  parser.add_argument("--no-system", dest="no_system", action="store_const", const="*",
                      default=None, help='aliBuild\'s noSystem="*": skip every prefer_system check')
  parser.add_argument("--no-system-packages", dest="no_system", metavar="A,B",
                      help="aliBuild's --no-system A,B: skip the checks of these packages")
  parser.add_argument("--always-prefer-system", dest="prefer_system", action="store_true")
  parser.add_argument("--assume-system", action="store_true",
                      help="run no check: prefer checks fail, requirements pass, track_env "
                           "prints nothing (alien-install resolve's offline default)")
  parser.add_argument("--assume-requirements", action="store_true",
                      help="system_requirement checks pass without running; prefer checks and "
                           "track_env run (with --no-system: alien-install resolve's offline default)")
  parser.add_argument("--force-rebuild", action="append", default=[], metavar="PKGS")
  parser.add_argument("--date", help="fix nowKwds: YYYY-MM-DD-HH")
  parser.add_argument("--git-refs", metavar="FILE.json",
                      help='{"<source url>": {"<branch>": "<sha>"}}')
  parser.add_argument("--alidist-branch", default="master",
                      help='branch of alidist (default master); ":git" asks git '
                           "in the config dir exactly as doBuild does")
  parser.add_argument("--local", default="", metavar="PKGS|*",
                      help="packages whose revision is localN, so dependents hash "
                           "their local hash (default: none; * = all)")
  parser.add_argument("packages", nargs="*", metavar="PKG")
  return parser


def check_required(parser, args) -> None:
  missing = [o for o, v in (("--config-dir", args.config_dir), ("--arch", args.arch),
                            ("PKG", args.packages)) if not v]
  if missing:
    parser.error("missing " + ", ".join(missing))


def parse_args(argv):
  parser = build_parser("Resolve recipes with aliBuild's own code; print the plan as JSON.")
  parser.add_argument("--self-test", action="store_true",
                      help="check the four hash vectors of the spec")
  args = parser.parse_args(argv)
  if not args.self_test:
    check_required(parser, args)
  return args


def plan_factory(args):
  """Read the harness inputs once; return a function making a fresh Plan.

  A Plan is single use: aliBuild appends to the disable list it is given.
  """
  git_refs = {}
  if args.git_refs:
    with open(args.git_refs, encoding="utf-8") as stream:
      git_refs = json.load(stream)
  if args.date:
    fix_date(args.date)
  return lambda: Plan(config_dir=args.config_dir, defaults=args.defaults, arch=args.arch,
                      targets=args.packages, disable=args.disable, no_system=args.no_system,
                      prefer_system=args.prefer_system, git_refs=git_refs,
                      alidist_branch=args.alidist_branch,
                      local=[x for x in args.local.split(",") if x],
                      force_rebuild=args.force_rebuild, assume_system=args.assume_system,
                      assume_requirements=args.assume_requirements)


def dump(result: dict) -> str:
  return json.dumps(result, sort_keys=True, indent=2)


# --------------------------------------------------------------------------
# Self test: the four vectors of recipe-format.md (aliBuild's test_build.py)
# --------------------------------------------------------------------------

SELF_TEST_RECIPES = {
    "defaults-release.sh": "package: defaults-release\nversion: v1\n---\n"
                           ": this line should trigger a warning\n",
    "zlib.sh": "package: zlib\nversion: v1.3.1\nsource: https://github.com/madler/zlib\n"
               "tag: master\n---\n./configure\nmake\nmake install\n",
    "root.sh": "package: ROOT\nversion: v6-08-30\nsource: https://github.com/root-mirror/root\n"
               "tag: v6-08-00-patches\nrequires:\n  - zlib\n"
               + "env:\n" + "".join(f'  ROOT_TEST_{i}: "root test {i}"\n' for i in range(1, 7))
               + "prepend_path:\n"
               + "".join(f'  PREPEND_ROOT_{i}: "prepend root {i}"\n' for i in range(1, 7))
               + "append_path:\n"
               + "".join(f'  APPEND_ROOT_{i}: "append root {i}"\n' for i in range(1, 7))
               + "---\n./configure\nmake\nmake install\n",
    "extra.sh": "package: Extra\nversion: v1\ntag: v1\nsource: file:///dev/null\n"
                "requires:\n  - ROOT\n---\n",
}
SELF_TEST_REFS = {
    "https://github.com/madler/zlib": {"master": "8822efa61f2a385e0bc83ca5819d608111b2168a"},
    "https://github.com/root-mirror/root": {
        "master": "87b87c4322d2a3fad315c919cb2e2dd73f2154dc",
        "v6-08-00-patches": "f7b336611753f1f4aaa94222b0d620748ae230c0",
        "refs/tags/test-tag": "f7b336611753f1f4aaa94222b0d620748ae230c0"},
    # Extra's tag v1 acts as a branch whose tip is ba22 (aliBuild's test sets
    # commit_hash from refs/tags/v1 = ba22 directly; the primary hash is the same).
    "file:///dev/null": {"v1": "ba22"},
}
# (package, which hash, expected, expected commit_hash)
SELF_TEST_VECTORS = (
    ("defaults-release", "hash", "27ce49698e818e8efb56b6eff6dd785e503df341", "0"),
    ("zlib", "local_hash", "4d6a75f214dc7931a2a7d5ba82ea0568e652cd84",
     "8822efa61f2a385e0bc83ca5819d608111b2168a"),
    ("ROOT", "local_hash", "1f3c771080f71b6c0d2e3d7a285698a20035da12",
     "f7b336611753f1f4aaa94222b0d620748ae230c0"),
    ("Extra", "local_hash", "6e7bc4976abf77b558cf7faf575ec51670f8d0e5", "ba22"),
)


def self_test() -> int:
  """Run the harness as a subprocess on the spec's fixtures; PASS/FAIL each."""
  with tempfile.TemporaryDirectory(prefix="alibuild_plan_selftest_") as tmp:
    config_dir = os.path.join(tmp, "alidist")
    os.mkdir(config_dir)
    for name, text in SELF_TEST_RECIPES.items():
      with open(os.path.join(config_dir, name), "w", encoding="utf-8") as f:
        f.write(text)
    refs_file = os.path.join(tmp, "refs.json")
    with open(refs_file, "w", encoding="utf-8") as f:
      json.dump(SELF_TEST_REFS, f)
    # defaults-release keeps a remote revision, the other three are localN,
    # exactly as in aliBuild's test_build.py::test_hashing.
    cmd = [sys.executable, os.path.abspath(__file__), "--config-dir", config_dir,
           "--defaults", "release", "--arch", "slc7_x86-64", "--git-refs", refs_file,
           "--date", "2024-01-02-03", "--local", "zlib,ROOT,Extra", "Extra"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    try:
      result = json.loads(proc.stdout)
    except ValueError:
      print("FAIL harness output is not JSON:\n" + proc.stdout + proc.stderr)
      return 1
    failures = 0
    if result["error"] is not None:
      print("FAIL harness reported an error: " + result["error"])
      failures += 1
    for package, key, expected, commit in SELF_TEST_VECTORS:
      got = result["packages"].get(package, {})
      ok = got.get(key) == expected and got.get("commit_hash") == commit
      failures += not ok
      print("%s %-16s %-10s expected %s got %s (commit %s)" % (
          "PASS" if ok else "FAIL", package, key, expected, got.get(key), got.get("commit_hash")))
    order_ok = result["order"] == ["Extra", "ROOT", "defaults-release", "zlib"]
    failures += not order_ok
    print("%s order %s" % ("PASS" if order_ok else "FAIL", result["order"]))
    # An aliBuild failure is reported in the JSON, with exit status 0.
    missing = subprocess.run(cmd[:-1] + ["NoSuchPackage"], capture_output=True, text=True,
                             check=False)
    try:
      error = json.loads(missing.stdout)["error"]
    except ValueError:
      error = None
    error_ok = missing.returncode == 0 and error is not None and "NoSuchPackage" in error
    failures += not error_ok
    print("%s missing recipe -> error %r, exit %d" % ("PASS" if error_ok else "FAIL", error,
                                                     missing.returncode))
    return 1 if failures else 0


def main(argv=None) -> int:
  args = parse_args(sys.argv[1:] if argv is None else argv)
  if args.self_test:
    return self_test()
  try:
    plan = plan_factory(args)()
  except (OSError, ValueError) as exc:  # bad harness input, not an aliBuild failure
    print("alibuild_plan.py: %s" % exc, file=sys.stderr)
    return 2
  print(dump(plan.run()))
  return 0


if __name__ == "__main__":
  sys.exit(main())
