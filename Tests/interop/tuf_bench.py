#!/usr/bin/env python3
"""The TUF side of `make bench`: repositories built with python-tuf's Metadata API, and
python-tuf's ngclient doing what `alien-install trust info` does (refresh + target lookups).

  tuf_bench.py make-repo --out DIR --targets N [--bins 256] [--lookups 100] [--seed 1]
      DIR/metadata/... (consistent snapshots), DIR/root.json (the trusted root),
      DIR/paths.txt (--lookups target paths, one per line, chosen with --seed); those targets
      exist as files (--file-size bytes each, random) under DIR/targets/ with consistent-
      snapshot names (<dir>/<sha256>.<name>), so they can be downloaded.
      With --bins, the top-level targets delegate all targets to succinct hash bins
      (TAP 15) and list none themselves; without, top-level targets list all N.
  tuf_bench.py client --metadata-url URL --root FILE --metadata-dir DIR --paths FILE
      Fresh ngclient Updater on DIR (root copied in), refresh(), get_targetinfo() for each
      path; with --target-dir D and --target-url URL, also download_target() of each into D.
      Prints {"found": n, "seconds": in-process time}. Exit 1 if a path is missing.
"""
import argparse
import json
import math
import os
import random
import shutil
import sys
import time
from datetime import datetime, timedelta, timezone


def make_repo(args):
    from securesystemslib.signer import CryptoSigner
    from tuf.api.metadata import (DelegatedRole, Delegations, Metadata, MetaFile, Root, Snapshot, SuccinctRoles,
                                  TargetFile, Targets, Timestamp)
    from tuf.api.serialization.json import JSONSerializer

    rng = random.Random(args.seed)
    expires = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=30)
    signers = {role: CryptoSigner.generate_ed25519() for role in ["root", "targets", "snapshot", "timestamp", "bins"]}
    meta_dir = os.path.join(args.out, "metadata")
    shutil.rmtree(args.out, ignore_errors=True)
    os.makedirs(meta_dir)
    arches = ["slc9_x86-64", "ubuntu2204_x86-64", "slc9_aarch64"]
    files = {}
    chosen = set(rng.sample(range(args.targets), args.lookups))
    targets_dir = os.path.join(args.out, "targets")
    for i in range(args.targets):
        name = "Pkg%04d" % (i // 10)
        arch = arches[i % len(arches)]
        version = "v%d.%d-%d" % (i % 7, i % 13, 1 + i % 3)
        path = "%s/%s/%s-%s.%s.tar.gz" % (arch, name, name, version, arch)
        custom = {"custom": {"name": name, "version": version.rsplit("-", 1)[0], "revision": version.rsplit("-", 1)[1], "arch": arch}}
        if i in chosen:
            content = rng.randbytes(args.file_size)
            files[path] = TargetFile.from_data(path, content, ["sha256"])
            files[path].unrecognized_fields = custom
            directory, base = os.path.split(path)
            os.makedirs(os.path.join(targets_dir, directory), exist_ok=True)
            with open(os.path.join(targets_dir, directory, "%s.%s" % (files[path].hashes["sha256"], base)), "wb") as f:
                f.write(content)
            continue
        digest = "%064x" % rng.getrandbits(256)
        files[path] = TargetFile(length=rng.randint(10_000, 2_000_000_000), hashes={"sha256": digest}, path=path,
                                 unrecognized_fields=custom)

    def write(md, name):
        data = md.to_bytes(JSONSerializer(compact=True))
        with open(os.path.join(meta_dir, name), "wb") as f:
            f.write(data)
        return data

    snapshot_meta = {}
    if args.bins:
        bit_length = int(math.log2(args.bins))
        succinct = SuccinctRoles(keyids=[signers["bins"].public_key.keyid], threshold=1, bit_length=bit_length,
                                 name_prefix="bin")
        delegations = Delegations(keys={signers["bins"].public_key.keyid: signers["bins"].public_key}, roles=None,
                                  succinct_roles=succinct)
        targets = Targets(expires=expires, delegations=delegations)
        bins = {name: Targets(expires=expires) for name in succinct.get_roles()}
        for path, file in files.items():
            bins[succinct.get_role_for_target(path)].targets[path] = file
        for name, signed in bins.items():
            md = Metadata(signed)
            md.sign(signers["bins"])
            write(md, "1.%s.json" % name)
            snapshot_meta["%s.json" % name] = MetaFile(version=1)
    else:
        targets = Targets(expires=expires, targets=files)
    md = Metadata(targets)
    md.sign(signers["targets"])
    write(md, "1.targets.json")
    snapshot_meta["targets.json"] = MetaFile(version=1)
    md = Metadata(Snapshot(expires=expires, meta=snapshot_meta))
    md.sign(signers["snapshot"])
    write(md, "1.snapshot.json")
    md = Metadata(Timestamp(expires=expires, snapshot_meta=MetaFile(version=1)))
    md.sign(signers["timestamp"])
    write(md, "timestamp.json")
    root = Root(expires=expires, consistent_snapshot=True)
    for role in ["root", "targets", "snapshot", "timestamp"]:
        root.add_key(signers[role].public_key, role)
    md = Metadata(root)
    md.sign(signers["root"])
    data = write(md, "1.root.json")
    with open(os.path.join(args.out, "root.json"), "wb") as f:
        f.write(data)
    with open(os.path.join(args.out, "paths.txt"), "w") as f:
        paths = [path for i, path in enumerate(files) if i in chosen]
        rng.shuffle(paths)
        f.write("\n".join(paths) + "\n")
    print(json.dumps({"targets": args.targets, "bins": args.bins,
                      "targets_json_bytes": os.path.getsize(os.path.join(meta_dir, "1.targets.json"))}))


def client(args):
    from tuf.ngclient import Updater, UpdaterConfig
    start = time.perf_counter()
    shutil.rmtree(args.metadata_dir, ignore_errors=True)
    os.makedirs(args.metadata_dir)
    shutil.copy(args.root, os.path.join(args.metadata_dir, "root.json"))
    paths = [line.strip() for line in open(args.paths) if line.strip()]
    # 10 000 targets with custom metadata exceed ngclient's default 5 MB targets cap; ours is 5 MB too.
    config = UpdaterConfig(targets_max_length=50_000_000)
    with open(args.root, "rb") as f:
        bootstrap = f.read()
    updater = Updater(metadata_dir=args.metadata_dir, metadata_base_url=args.metadata_url, config=config,
                      bootstrap=bootstrap, target_dir=args.target_dir, target_base_url=args.target_url)
    updater.refresh()
    found = 0
    for path in paths:
        info = updater.get_targetinfo(path)
        if info is None:
            continue
        found += 1
        if args.target_dir:
            updater.download_target(info)
    print(json.dumps({"found": found, "seconds": time.perf_counter() - start}))
    return 0 if found == len(paths) else 1


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    repo = sub.add_parser("make-repo")
    repo.add_argument("--out", required=True)
    repo.add_argument("--targets", type=int, default=10_000)
    repo.add_argument("--bins", type=int, default=0)
    repo.add_argument("--lookups", type=int, default=100)
    repo.add_argument("--seed", type=int, default=1)
    repo.add_argument("--file-size", type=int, default=100_000)
    cli = sub.add_parser("client")
    cli.add_argument("--metadata-url", required=True)
    cli.add_argument("--root", required=True)
    cli.add_argument("--metadata-dir", required=True)
    cli.add_argument("--paths", required=True)
    cli.add_argument("--target-dir", default=None)
    cli.add_argument("--target-url", default=None)
    args = parser.parse_args()
    if args.command == "make-repo":
        make_repo(args)
        return 0
    return client(args)


if __name__ == "__main__":
    sys.exit(main())
