#!/usr/bin/env bash
# Part of `make bench`: a site's everyday commands on a 100-package closure.
#  - `install TOP` when the whole closure is already installed (what a job agent runs before
#    every job) — ours alone: the old PackMan has no counterpart to run here;
#  - `env TOP --shell sh` (the environment of 100 packages, computed from the packages'
#    environment manifests; nothing runs) against its anchor, bash sourcing TOP's init.sh (which
#    sources the other 99), which is what aliBuild's init.sh users pay; run alternately in the
#    same run by bench_compare.py. Twice: packages with the Builder's manifest
#    (.alien-environment.json), and the same area without them (plain aliBuild packages: each
#    init.sh read by the strict parser on every call);
#  - the same `env` with `alien-env` (the small binary: environment code only, static), against
#    the same anchor, for both areas;
#  - the floors: `alien-install --version` and `alien-env --help` (process start, no work), and
#    /bin/true (what starting any process costs in this harness).
# Packages: pkg000..pkg099, each requiring the previous one, with aliBuild's init.sh (own
# variables, two env entries, an append_path and a prepend_path besides bin/lib), published with
# `alien-install publish` into a local repository and installed over file:// URLs.
# Usage: scripts/bench_area.sh [BIN_DIR]   (default .build-release/release)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build-release/release}
RUNS=${BENCH_RUNS:-10}
ARCH=slc9_x86-64
WORK=$(mktemp -d /tmp/alien-bench-area.XXXXXX)
trap '[ -n "${BENCH_KEEP:-}" ] || rm -rf "$WORK"' EXIT
mkdir -p .bench

/usr/bin/python3 - "$WORK/tarballs" "$ARCH" <<'PYTHON'
import io, json, os, sys, tarfile
out, arch = sys.argv[1], sys.argv[2]
os.makedirs(out)
def info(i):
    return {"name": "pkg%03d" % i, "tag": "v1", "source": None, "version": "v1", "revision": "1", "hash": "%040x" % (i + 1)}
for i in range(100):
    name = "pkg%03d" % i
    prefix = "%s/%s/v1-1" % (arch, name)
    runtime = [info(j) for j in range(i)]
    meta = {"alien_install_version": "0.1.0", "architecture": arch, "defaults": "release", "package": info(i),
            "dependencies": {"direct": {"build": [], "runtime": [info(i - 1)] if i else []},
                             "recursive": {"build": [], "runtime": runtime}}}
    big = name.upper()
    lines = [': "${ALIBUILD_ARCH_PREFIX:=%s}"' % arch]
    requires = []
    if i:
        lines.append('[ -n "${PKG%03d_REVISION}" ] || . "$WORK_DIR/$ALIBUILD_ARCH_PREFIX"/pkg%03d/v1-1/etc/profile.d/init.sh' % (i - 1, i - 1))
        requires = [{"name": "pkg%03d" % (i - 1), "revision": "1", "version": "v1"}]
    hash_ = "%040x" % (i + 1)
    lines += ['export %s_ROOT="$WORK_DIR/$ALIBUILD_ARCH_PREFIX"/%s/v1-1' % (big, name),
              'export RECC_PREFIX_MAP="$%s_ROOT=/recc/%s_ROOT:$RECC_PREFIX_MAP"' % (big, big),
              'export %s_VERSION=v1' % big, 'export %s_REVISION=1' % big, 'export %s_HASH=%s' % (big, hash_),
              'export %s_COMMIT=%s' % (big, hash_[:10]),
              'export %s_DATA="$%s_ROOT/share/data"' % (big, big), 'export %s_MOTD="${%s_ROOT}/share/motd of %s"' % (big, big, name),
              'export MANPATH="$MANPATH:$%s_ROOT/man"' % big,
              'export PYTHONPATH="$%s_ROOT/lib/python${PYTHONPATH+:$PYTHONPATH}"' % big,
              'export PATH="$%s_ROOT/bin${PATH+:$PATH}"' % big,
              'export LD_LIBRARY_PATH="$%s_ROOT/lib${LD_LIBRARY_PATH+:$LD_LIBRARY_PATH}"' % big]
    init = "\n".join(lines) + "\n"
    # The Builder's environment manifest of the same init.sh (canonical JSON, normal form).
    manifest = {"append_path": [{"items": ["$%s_ROOT/man" % big], "name": "MANPATH"}], "arch": arch,
                "env": [{"name": big + "_DATA", "value": "$%s_ROOT/share/data" % big},
                        {"name": big + "_MOTD", "value": "$%s_ROOT/share/motd of %s" % (big, name)}],
                "format": "alien-environment/1",
                "package": {"commit": hash_[:10], "hash": hash_, "name": name, "revision": "1", "version": "v1"},
                "prepend_path": [{"items": ["$%s_ROOT/lib/python" % big], "name": "PYTHONPATH"},
                                 {"items": ["$%s_ROOT/bin" % big], "name": "PATH"},
                                 {"items": ["$%s_ROOT/lib" % big], "name": "LD_LIBRARY_PATH"}],
                "requires": requires}
    files = {prefix + "/.meta.json": json.dumps(meta, indent=2, sort_keys=True) + "\n",
             prefix + "/etc/profile.d/init.sh": init,
             prefix + "/.alien-environment.json": json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n",
             prefix + "/bin/%s-hello" % name: "#!/bin/sh\necho %s\n" % name}
    with tarfile.open(os.path.join(out, "%s-v1-1.%s.tar.gz" % (name, arch)), "w:gz") as tar:
        for path, text in sorted(files.items()):
            data = text.encode()
            entry = tarfile.TarInfo(path)
            entry.size = len(data)
            entry.mode = 0o755 if "/bin/" in path else 0o644
            tar.addfile(entry, io.BytesIO(data))
PYTHON

for role in root targets snapshot timestamp; do "$BIN/alien-install" keys generate "$role" --dir "$WORK/keys" > /dev/null; done
"$BIN/alien-install" repo init "$WORK/repo" --root-key "$WORK/keys/root.key" --targets-key "$WORK/keys/targets.key" \
  --snapshot-key "$WORK/keys/snapshot.key" --timestamp-key "$WORK/keys/timestamp.key" > /dev/null
"$BIN/alien-install" publish --repo "$WORK/repo" "$WORK"/tarballs/*.tar.gz --keys-dir "$WORK/keys" > /dev/null
"$BIN/alien-install" install pkg099 --area "$WORK/area" --arch "$ARCH" --repo "file://$WORK/repo" \
  --root "$WORK/repo/metadata/1.root.json" > /dev/null

# The same area as plain aliBuild packages would leave it: no manifest files.
cp -a "$WORK/area" "$WORK/area-plain"
find "$WORK/area-plain/$ARCH" -name .alien-environment.json -delete
# Both give bash's environment (checked here, not only in the tests).
for area in "$WORK/area" "$WORK/area-plain"; do
  for command in "$BIN/alien-install env" "$BIN/alien-env"; do
    diff <(env -i PATH=/usr/bin:/bin HOME=/tmp bash --noprofile --norc -c 'eval "$($1 pkg099 --area "$2" --shell bash)"; env' \
             _ "$command" "$area" | sort | grep -v '^_=\|^SHLVL=\|^PWD=') \
         <(env -i PATH=/usr/bin:/bin HOME=/tmp WORK_DIR="$area" ALIBUILD_ARCH_PREFIX=$ARCH bash --noprofile --norc -c \
             ". \"$area/$ARCH/pkg099/v1-1/etc/profile.d/init.sh\"; env" | sort | grep -v '^_=\|^SHLVL=\|^PWD=')
  done
  # alien-env prints alien-install env's bytes.
  cmp <("$BIN/alien-env" pkg099 --area "$area" --shell sh) <("$BIN/alien-install" env pkg099 --area "$area" --shell sh)
done

results=.bench/results.jsonl
# The anchor: bash sourcing the top init.sh (no `env` process after it: bash alone).
anchor="/bin/bash --noprofile --norc -c 'export WORK_DIR=$WORK/area ALIBUILD_ARCH_PREFIX=$ARCH; . $WORK/area/$ARCH/pkg099/v1-1/etc/profile.d/init.sh'"
/usr/bin/python3 - "$BIN" "$WORK" "$RUNS" <<'PYTHON' | tee -a "$results"
import json, statistics, subprocess, sys, time
bin_dir, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def timed(command):
    samples = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples[1:])
print(json.dumps({"label": "install of an installed 100-package closure",
                  "a_median_s": round(timed([bin_dir + "/alien-install", "install", "pkg099", "--area", work + "/area"]), 5)}))
print(json.dumps({"label": "alien-install --version (process start, the floor)",
                  "a_median_s": round(timed([bin_dir + "/alien-install", "--version"]), 5)}))
print(json.dumps({"label": "alien-env --help (process start of the small binary, its floor)",
                  "a_median_s": round(timed([bin_dir + "/alien-env", "--help"]), 5)}))
print(json.dumps({"label": "/bin/true (starting any process in this harness)", "a_median_s": round(timed(["/bin/true"]), 5)}))
PYTHON
scripts/bench_compare.py --runs "$((RUNS * 3))" --label "env of a 100-package closure (manifests) vs bash sourcing init.sh" \
  "$BIN/alien-install env pkg099 --area $WORK/area --shell sh" "$anchor" | tee -a "$results"
scripts/bench_compare.py --runs "$((RUNS * 3))" --label "env of a 100-package closure (init.sh parsed) vs bash sourcing init.sh" \
  "$BIN/alien-install env pkg099 --area $WORK/area-plain --shell sh" "$anchor" | tee -a "$results"
scripts/bench_compare.py --runs "$((RUNS * 3))" --label "alien-env: env of a 100-package closure (manifests) vs bash sourcing init.sh" \
  "$BIN/alien-env pkg099 --area $WORK/area --shell sh" "$anchor" | tee -a "$results"
scripts/bench_compare.py --runs "$((RUNS * 3))" --label "alien-env: env of a 100-package closure (init.sh parsed) vs bash sourcing init.sh" \
  "$BIN/alien-env pkg099 --area $WORK/area-plain --shell sh" "$anchor" | tee -a "$results"
