#!/usr/bin/env bash
# Part of `make bench`: a site's everyday commands on a 100-package closure.
#  - `install TOP` when the whole closure is already installed (what a job agent runs before
#    every job) — ours alone: the old PackMan has no counterpart to run here;
#  - `env TOP --shell sh` (the environment of 100 packages) against its anchor, bash sourcing
#    TOP's init.sh (which sources the other 99), which is what aliBuild's init.sh users pay.
# Packages: pkg000..pkg099, each requiring the previous one, published with `alien-install
# publish` into a local repository and installed over file:// URLs.
# Usage: scripts/bench_area.sh [BIN_DIR]   (default .build-release/release)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build-release/release}
RUNS=${BENCH_RUNS:-10}
ARCH=slc9_x86-64
WORK=$(mktemp -d /tmp/alien-bench-area.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
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
    init = ""
    if i:
        init += '[ -n "${PKG%03d_REVISION}" ] || . "$WORK_DIR/$ALIBUILD_ARCH_PREFIX"/pkg%03d/v1-1/etc/profile.d/init.sh\n' % (i - 1, i - 1)
    init += 'export %s_ROOT="$WORK_DIR/$ALIBUILD_ARCH_PREFIX"/%s/v1-1\nexport %s_VERSION=v1\nexport %s_REVISION=1\n' % (big, name, big, big)
    init += 'export PATH="$%s_ROOT/bin${PATH+:$PATH}"\nexport LD_LIBRARY_PATH="$%s_ROOT/lib${LD_LIBRARY_PATH+:$LD_LIBRARY_PATH}"\n' % (big, big)
    files = {prefix + "/.meta.json": json.dumps(meta, indent=2, sort_keys=True) + "\n",
             prefix + "/etc/profile.d/init.sh": init,
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

results=.bench/results.jsonl
/usr/bin/python3 - "$BIN" "$WORK" "$ARCH" "$RUNS" <<'PYTHON' | tee -a "$results"
import json, os, statistics, subprocess, sys, time
bin_dir, work, arch, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def timed(command, env=None):
    samples = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples[1:])
area = work + "/area"
noop = timed([bin_dir + "/alien-install", "install", "pkg099", "--area", area])
ours = timed([bin_dir + "/alien-install", "env", "pkg099", "--area", area, "--shell", "sh"])
anchor = timed(["/bin/bash", "-c", '. "$WORK_DIR/%s/pkg099/v1-1/etc/profile.d/init.sh" && env > /dev/null' % arch],
               env=dict(os.environ, WORK_DIR=area, ALIBUILD_ARCH_PREFIX=arch))
print(json.dumps({"label": "install of an installed 100-package closure", "a_median_s": round(noop, 5)}))
print(json.dumps({"label": "env of a 100-package closure vs bash sourcing init.sh", "a_median_s": round(ours, 5),
                  "b_median_s": round(anchor, 5), "ratio_b_over_a": round(anchor / ours, 2)}))
PYTHON
