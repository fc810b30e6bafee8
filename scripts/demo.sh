#!/usr/bin/env bash
# `make demo`: the main job end to end, as far as it exists today. All state under .demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO=.demo
mkdir -p "$DEMO"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Building alien-install and packmand"
swift build -c debug 2>&1 | tail -1
BIN=$(swift build -c debug --show-bin-path)/alien-install
PACKMAND=$(swift build -c debug --show-bin-path)/packmand
ARCH=slc9_x86-64

step "Resolving AliRoot with defaults 'release' for $ARCH (offline: no git, no network)"
"$BIN" resolve AliRoot --defaults release --arch "$ARCH" --config-dir recipes
"$BIN" resolve AliRoot --defaults release --arch "$ARCH" --config-dir recipes --format json > "$DEMO/plan-release.json"
echo "(plan saved to $DEMO/plan-release.json)"

step "The same with defaults 'root6next', and what changed each package's hash"
"$BIN" resolve AliRoot --defaults root6next --arch "$ARCH" --config-dir recipes \
  --diff "$DEMO/plan-release.json" | head -40

step "Every input of AliEn-Runtime's hash (why does it rebuild?)"
"$BIN" resolve AliEn-Runtime --arch "$ARCH" --config-dir recipes --explain AliEn-Runtime

step "aliDoctor's check of this machine for ROOT (runs the recipes' system checks)"
set +e
"$BIN" doctor ROOT --config-dir recipes
status=$?
set -e
echo "(doctor exit status $status: 0 all well, 1 missing system requirements)"

step "Building the demo stack (recipes/demo: a C library, a program, a data package, a top package) into $DEMO/work"
"$BIN" build GridDemo --config-dir recipes/demo --work-dir "$DEMO/work" --arch "$ARCH"
echo "Tarballs in the store:"
(cd "$DEMO/work/TARS/$ARCH/store" && find . -name '*.tar.gz' | sort | sed 's|^\./|  |')

step "Running a program from the built packages"
env -i PATH=/usr/bin:/bin WORK_DIR="$PWD/$DEMO/work" bash -c \
  ". \"\$WORK_DIR/$ARCH/GridDemo/v1-1/etc/profile.d/init.sh\" && hello-grid demo-user"

step "Release manager: keys, a signed TUF repository, and publishing the demo build"
rm -rf "$DEMO/keys" "$DEMO/repo" "$DEMO/site" "$DEMO/area"
for role in root targets snapshot timestamp; do "$BIN" keys generate "$role" --dir "$DEMO/keys"; done
"$BIN" repo init "$DEMO/repo" --root-key "$DEMO/keys/root.key" --targets-key "$DEMO/keys/targets.key" \
  --snapshot-key "$DEMO/keys/snapshot.key" --timestamp-key "$DEMO/keys/timestamp.key"
"$BIN" publish --repo "$DEMO/repo" --work-dir "$DEMO/work" --arch "$ARCH" GridDemo --keys-dir "$DEMO/keys"
"$BIN" repo list "$DEMO/repo"

step "Serving the repository over HTTP (alien-install serve: ranges, ETags, TUF cache rules)"
"$BIN" serve "$DEMO/repo" --host 127.0.0.1 --port 0 --quiet > "$DEMO/serve.out" 2>&1 &
SERVE_PID=$!
trap 'kill $SERVE_PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q 'http://' "$DEMO/serve.out" 2>/dev/null && break; sleep 0.1; done
REPO_URL=$(grep -o 'http://[0-9.:]*' "$DEMO/serve.out" | head -1)
echo "repository at $REPO_URL"
curl -sI "$REPO_URL/metadata/timestamp.json" | grep -i -E '^(HTTP|cache-control|etag)'

step "A site trusts the repository's root once, then refreshes and downloads a verified target"
"$BIN" trust init "$DEMO/repo/metadata/1.root.json" --metadata-dir "$DEMO/site/metadata"
"$BIN" trust refresh --metadata-dir "$DEMO/site/metadata" --metadata-url "$REPO_URL/metadata"
GRID_TARGET=$("$BIN" repo list "$DEMO/repo" --json | python3 -c '
import json, sys
listing = json.load(sys.stdin)
print(next(t["path"] for t in listing["targets"] if t["name"] == "GridDemo"))')
"$BIN" trust download "$GRID_TARGET" --metadata-dir "$DEMO/site/metadata" --metadata-url "$REPO_URL/metadata" \
  --target-base-url "$REPO_URL/targets" --target-dir "$DEMO/site/targets"

step "Installing GridDemo and its closure into a software area (in parallel: verified, atomic, relocated; renamed in dependency order; no package code runs)"
"$BIN" install GridDemo --area "$DEMO/area" --repo "$REPO_URL" --root "$DEMO/repo/metadata/1.root.json" --arch "$ARCH" --jobs 4
"$BIN" install GridDemo --area "$DEMO/area"     # already installed: nothing to do
"$BIN" list --installed --area "$DEMO/area"

step "Running a program from the installed package, in its environment"
"$BIN" run GridDemo --area "$DEMO/area" -- hello-grid demo-site
"$BIN" env GridDemo --area "$DEMO/area" --shell sh | grep -E '^export (GRIDDEMO_ROOT|PATH)='
echo "modulefiles: $(cd "$DEMO/area/$ARCH/Modules/modulefiles" && find . -type f | sed 's|^\./||' | sort | tr '\n' ' ')"

step "A grid job from a JDL: packages checked against the signed repository, then run under a lease"
"$BIN" jdl check examples/jdl/demo.jdl --area "$DEMO/area"
"$BIN" run --jdl examples/jdl/demo.jdl --area "$DEMO/area" --job-id demo-job-1
echo "leases left after the job: $(ls "$DEMO/area/.alien/leases" | wc -l)"

# Worker nodes of one site through a BitTorrent swarm: signed torrents, opentracker, seeding.
scripts/demo_swarm.sh "$BIN" "$DEMO" "$REPO_URL" "$ARCH"

step "The site daemon: packmand on a unix socket, installing for jobs (with a token) and answering reads"
rm -rf "$DEMO/site" && mkdir -p "$DEMO/site"
SITE=$PWD/$DEMO/site
printf 'demo-agent job %s\n' "$(printf %s demo-token | sha256sum | cut -d' ' -f1)" > "$SITE/tokens"
printf 'demo-token\n' > "$SITE/token"
printf 'demo-admin admin %s\n' "$(printf %s demo-admin-token | sha256sum | cut -d' ' -f1)" >> "$SITE/tokens"
printf 'demo-admin-token\n' > "$SITE/admin-token"
cat > "$SITE/packmand.yaml" <<YAML
area: $SITE/area
arch: $ARCH
repository: $REPO_URL
trusted_root: $PWD/$DEMO/repo/metadata/1.root.json
tokens: $SITE/tokens
listen:
  unix: $SITE/packmand.sock
disk:
  budget: 1G
YAML
"$PACKMAND" --config "$SITE/packmand.yaml" --ready-file "$SITE/ready" 2> "$SITE/packmand.log" &
PACKMAND_PID=$!
trap 'kill $SERVE_PID $PACKMAND_PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -f "$SITE/ready" ] && break; sleep 0.1; done
export ALIEN_PACKMAN=unix:$SITE/packmand.sock
"$BIN" packman list
"$BIN" packman install GridDemo --token-file "$SITE/token" --holder demo-job-2 --ttl 600
"$BIN" packman listInstalled
"$BIN" packman test GridDemo --token-file "$SITE/token"
"$BIN" packman installLog GridDemo | tail -3
curl -s --unix-socket "$SITE/packmand.sock" 'http://localhost/v1/env?packages=GridDemo&shell=sh' | grep -E '^export GRIDDEMO_ROOT='
"$BIN" packman remove GridDemo --token-file "$SITE/token" || echo "(remove needs an admin token: refused as it should be)"
"$BIN" packman audit

step "Who ran what, where: a Slurm job through packmand, its use in packmand's records (GET /v1/usage), found by package"
ALIEN_PACKMAN_TOKEN_FILE="$SITE/token" SLURM_JOB_ID=4711 "$BIN" run --jdl examples/jdl/demo.jdl --area "$SITE/area" --job-id demo-job-3
ALIEN_PACKMAN_TOKEN_FILE="$SITE/admin-token" "$BIN" forensics --package GridDemo --area "$SITE/area" | grep -E 'run-jdl .*job demo-job-3 .*slurm 4711'
kill -TERM "$PACKMAND_PID" && wait "$PACKMAND_PID" && echo "packmand stopped cleanly (SIGTERM); status page was at GET / on the socket"

step "Revocation: the release manager revokes GridDemo v1-1 (signed through TUF); the site refuses it after one refresh"
"$BIN" revoke --repo "$DEMO/repo" GridDemo::v1-1 --reason "demo: miscompiled, do not use" --keys-dir "$DEMO/keys"
"$BIN" revocations --area "$DEMO/area"      # refresh + the area's policy (quarantine: files kept, use refused)
if "$BIN" run GridDemo --area "$DEMO/area" -- hello-grid demo-site; then echo "unexpected: a revoked package ran"; exit 1; fi
if "$BIN" install GridDemo::v1-1 --area "$DEMO/area"; then echo "unexpected: a revoked package installed"; exit 1; fi
echo "(run and install refused: GridDemo v1-1 is revoked; its files stay for forensics)"

step "Done"
cat <<TXT
What exists today: recipes → resolution with aliBuild-identical versions and hashes,
explanations, diffs, the system doctor, builds into reproducible relocatable tarballs in
an aliBuild-layout store, publishing into a signed TUF repository served over HTTP, a
site's verified view of it, atomic installs into a software area, and programs run in
the installed packages' environment, a job run from its JDL under a lease, a second
worker node installing through a BitTorrent swarm fed by the first (signed torrents,
opentracker), and the site daemon packmand installing through its API with tokens and an
audit log and a record of who ran what, where (forensics). Still to come: job agents. State of this demo: $DEMO/
TXT
