#!/usr/bin/env bash
# Compares `alien-install resolve --format hashes` with aliBuild 1.17.48 (.venv, driven offline
# by Tests/interop/alibuild_plan.py) on a real alidist checkout: same packages, versions and
# remote hashes, target by target, architecture by architecture, commit by commit.
#
#   scripts/alidist_differential.sh ALIDIST [COMMIT...]
#
# ALIDIST is an alidist work tree, or (when COMMITs are given) any alidist git repository,
# bare or not: each COMMIT is exported with `git archive` into a temporary directory.
# Both sides resolve in their offline default: aliBuild as `aliBuild build` on the store
# architectures (noSystem="*": only track_env and the allow_system_package_upload prefer
# checks run, on this host) with system requirements taken as present, which is what
# `alien-install resolve` does without --check-system. Nothing is fetched: a tag that is a
# branch is its own commit on both sides.
#
# Environment:
#   TARGETS   packages to resolve, one at a time (default: O2 O2Physics O2Suite
#             QualityControl AliPhysics JAliEn-ROOT)
#   ARCHS     architectures (default: slc9_x86-64 ubuntu2404_x86-64)
#   DEFAULTS  defaults name (default: o2)
#   DATE      YYYY-MM-DD-HH for %(year)s-style templates (default: 2026-01-01-00)
#   BRANCH    alidist branch for %(branch_basename)s (default: master)
#   ALIEN_INSTALL  the binary (default: .build/debug/alien-install, built if missing)
#   KEEP      a directory to keep both sides' outputs of every case in (default: none)
#
# Prints one line per case (commit, arch, target, package count, agree/DIFFER/both refused),
# the diff of each divergence, and a summary; exits 1 when any case differs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'
  exit 64
fi
alidist=$1
shift
targets=(${TARGETS:-O2 O2Physics O2Suite QualityControl AliPhysics JAliEn-ROOT})
archs=(${ARCHS:-slc9_x86-64 ubuntu2404_x86-64})
defaults=${DEFAULTS:-o2}
date=${DATE:-2026-01-01-00}
branch=${BRANCH:-master}
alien=${ALIEN_INSTALL:-$root/.build/debug/alien-install}
python=$root/.venv/bin/python
harness=$root/Tests/interop/alibuild_plan.py

[ -x "$python" ] || { echo "alidist_differential: $python missing: run make deps" >&2; exit 1; }
if [ ! -x "$alien" ]; then
  echo "alidist_differential: building alien-install" >&2
  swift build --product alien-install >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/alidist-diff.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The trees to compare on: "label<TAB>directory".
trees=()
if [ $# -eq 0 ]; then
  trees+=("$(git -C "$alidist" rev-parse --short=9 HEAD 2>/dev/null || basename "$alidist")"$'\t'"$alidist")
else
  gitdir=$(git -C "$alidist" rev-parse --git-dir 2>/dev/null || true)
  [ -n "$gitdir" ] || gitdir=$alidist
  case $gitdir in /*) ;; *) gitdir=$alidist/$gitdir ;; esac
  for commit in "$@"; do
    label=$(git --git-dir="$gitdir" rev-parse --short=9 "$commit^{commit}")
    mkdir -p "$work/tree-$label"
    git --git-dir="$gitdir" archive "$commit" | tar -x -C "$work/tree-$label"
    trees+=("$label"$'\t'"$work/tree-$label")
  done
fi

# aliBuild's plan as `name version hash` lines, sorted, without defaults-release; or
# "REFUSED: message" when aliBuild failed.
theirs_lines() {
  "$python" -c '
import json, sys
plan = json.load(sys.stdin)
if plan["error"] is not None:
    print("REFUSED: " + plan["error"].splitlines()[0])
    sys.exit(0)
rows = ["%s %s %s" % (n, p["version"], p["hash"]) for n, p in plan["packages"].items() if n != "defaults-release"]
print("\n".join(sorted(rows, key=lambda r: r.encode())))
'
}

cases=0 agreed=0 refused=0 differed=0
for tree in "${trees[@]}"; do
  label=${tree%%$'\t'*} dir=${tree#*$'\t'}
  for arch in "${archs[@]}"; do
    for target in "${targets[@]}"; do
      cases=$((cases + 1))
      case_dir=$work/$label-$arch-$target
      mkdir -p "$case_dir"
      PYTHONHASHSEED=0 "$python" "$harness" --config-dir "$dir" --defaults "$defaults" --arch "$arch" \
        --no-system --assume-requirements --date "$date" --alidist-branch "$branch" "$target" \
        2>"$case_dir/alibuild.err" | theirs_lines > "$case_dir/alibuild.txt"
      if "$alien" resolve "$target" --config-dir "$dir" --defaults "$defaults" --arch "$arch" \
           --date "$date" --recipes-branch "$branch" --format hashes \
           >"$case_dir/alien.raw" 2>"$case_dir/alien.err"; then
        LC_ALL=C sort "$case_dir/alien.raw" > "$case_dir/alien.txt"
      else
        echo "REFUSED: $(head -n1 "$case_dir/alien.err")" > "$case_dir/alien.txt"
      fi
      count=$(grep -vc '^REFUSED' "$case_dir/alibuild.txt" || true)
      if grep -q '^REFUSED' "$case_dir/alibuild.txt" && grep -q '^REFUSED' "$case_dir/alien.txt"; then
        refused=$((refused + 1))
        printf '%s %-18s %-15s both refused: aliBuild: %s\n' "$label" "$arch" "$target" \
          "$(cut -c10- "$case_dir/alibuild.txt")"
      elif cmp -s "$case_dir/alibuild.txt" "$case_dir/alien.txt"; then
        agreed=$((agreed + 1))
        printf '%s %-18s %-15s %4d packages agree\n' "$label" "$arch" "$target" "$count"
      else
        differed=$((differed + 1))
        printf '%s %-18s %-15s DIFFER (< aliBuild, > alien-install)\n' "$label" "$arch" "$target"
        diff "$case_dir/alibuild.txt" "$case_dir/alien.txt" | sed 's/^/    /' | head -n 40 || true
      fi
      if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp -r "$case_dir" "$KEEP/"; fi
    done
  done
done
echo "alidist_differential: $cases cases: $agreed agree, $refused refused by both, $differed differ" \
     "(defaults $defaults, date $date, ALIBUILD_O2_FORCE_GPU=${ALIBUILD_O2_FORCE_GPU-unset})"
[ "$differed" -eq 0 ]
