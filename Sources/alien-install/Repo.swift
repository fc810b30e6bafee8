import AlienModel
import ArgumentParser
import Foundation
import Publisher
import Trust

struct Repo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repo",
        abstract: "Create and maintain a TUF repository (consistent snapshots) of package tarballs.",
        discussion: """
            Layout: DIR/metadata/N.root.json, N.targets.json, N.snapshot.json, timestamp.json \
            (and root.json, a copy of the newest root); DIR/targets/<arch>/<Name>/<sha256>.<file>. \
            DIR may be a directory or an http(s):// URL of a server that accepts PUT (nginx with \
            dav_methods PUT DELETE; create_full_put_path on).
            """,
        subcommands: [Init.self, RotateRoot.self, RefreshTimestamp.self, List.self])

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create a repository: version 1 of root, targets (empty), snapshot and timestamp.",
            discussion: """
                Default lifetimes: root 365d, targets 90d, snapshot 7d, timestamp 1d; change them \
                with --expires ROLE=DURATION (s, m, h, d, w, or a date YYYY-MM-DD). Refuses a \
                location that already holds metadata.
                """)

        @Argument(help: "Repository directory or http(s):// URL.")
        var repository: String
        @OptionGroup var tls: TLSOptions
        @Option(name: .customLong("root-key"), help: "A root private key file; repeat for several.")
        var rootKeys: [String] = []
        @Option(name: .long, help: "How many root keys must sign a root (default 1).")
        var rootThreshold = 1
        @Option(name: .long, help: "The targets role's private key file.")
        var targetsKey: String
        @Option(name: .long, help: "The snapshot role's private key file.")
        var snapshotKey: String
        @Option(name: .long, help: "The timestamp role's private key file.")
        var timestampKey: String
        @Option(name: .customLong("expires"), help: "ROLE=DURATION, e.g. timestamp=12h; repeatable.")
        var expires: [String] = []
        @Flag(name: .long, help: "Print the roles' versions and key ids as JSON.")
        var json = false

        func validate() throws {
            if rootKeys.isEmpty { throw ValidationError("give at least one --root-key") }
        }

        func run() throws {
            let opened = Repository(store: tls.store(repository), expiries: try RoleExpiries(overrides: expires))
            let state = try opened.initialize(
                rootKeys: try rootKeys.map { path throws in try KeyFiles.signingKey(at: path) }, rootThreshold: rootThreshold,
                targetsKey: try KeyFiles.signingKey(at: targetsKey), snapshotKey: try KeyFiles.signingKey(at: snapshotKey),
                timestampKey: try KeyFiles.signingKey(at: timestampKey))
            let roles = state.root.signed.roles
            if json {
                Output.json(
                    .object(
                        roles.mapValues { role in
                            .object(["keyids": .array(role.keyIDs.map { .string($0) }), "threshold": .integer(Int64(role.threshold))])
                        }))
            } else {
                Output.write(
                    "initialised \(repository): root v1 (threshold \(roles["root"]!.threshold) of \(roles["root"]!.keyIDs.count)), targets v1, snapshot v1, timestamp v1\n"
                )
            }
        }
    }

    struct RotateRoot: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-root",
            abstract: "Sign a new root (version N+1) with the old and the new root keys; optionally replace role keys.",
            discussion: """
                The new root is signed by a threshold of the current root keys (--old-root-key) and \
                by all new root keys (--root-key). When --targets-key, --snapshot-key or \
                --timestamp-key name new keys, those roles are re-signed (new versions) so the \
                repository stays valid; roles re-signed because a role above them changed use \
                --key/--keys-dir. The timestamp is written last.
                """)

        @Argument(help: "Repository directory or http(s):// URL.")
        var repository: String
        @OptionGroup var tls: TLSOptions
        @Option(name: .customLong("old-root-key"), help: "A current root private key file; repeat up to the current threshold.")
        var oldRootKeys: [String] = []
        @Option(name: .customLong("root-key"), help: "A new root private key file (may repeat old ones); repeatable.")
        var rootKeys: [String] = []
        @Option(name: .long, help: "The new root threshold (default: the current one, at most the number of new keys).")
        var rootThreshold: Int?
        @Option(name: .long, help: "A new targets private key file.")
        var targetsKey: String?
        @Option(name: .long, help: "A new snapshot private key file.")
        var snapshotKey: String?
        @Option(name: .long, help: "A new timestamp private key file.")
        var timestampKey: String?
        @OptionGroup var signing: SigningKeyOptions
        @Option(name: .customLong("expires"), help: "ROLE=DURATION for the roles signed now; repeatable.")
        var expires: [String] = []
        @Flag(name: .long, help: "Print the result as JSON.")
        var json = false

        func validate() throws {
            if oldRootKeys.isEmpty { throw ValidationError("give the current root keys with --old-root-key") }
            if rootKeys.isEmpty { throw ValidationError("give the new root keys with --root-key") }
        }

        func run() throws {
            func load(_ path: String?) throws -> SigningKey? { try path.map { try KeyFiles.signingKey(at: $0) } }
            let opened = Repository(store: tls.store(repository), expiries: try RoleExpiries(overrides: expires))
            let report = try opened.rotateRoot(
                oldRootKeys: try oldRootKeys.map { try KeyFiles.signingKey(at: $0) },
                newRootKeys: try rootKeys.map { try KeyFiles.signingKey(at: $0) }, newThreshold: rootThreshold,
                targetsKey: try load(targetsKey), snapshotKey: try load(snapshotKey), timestampKey: try load(timestampKey),
                otherKeys: try signing.signers().keys)
            if json {
                Output.json(
                    .object([
                        "root_version": .integer(report.rootVersion), "resigned": .array(report.resigned.map { .string($0) }),
                        "timestamp_version": .integer(report.timestampVersion)
                    ]))
            } else {
                Output.write(
                    "root v\(report.rootVersion) written" + (report.resigned.isEmpty ? "" : "; re-signed \(report.resigned.joined(separator: ", "))") + "\n")
            }
        }
    }

    struct RefreshTimestamp: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "refresh-timestamp",
            abstract: "Re-sign timestamp.json with a new expiry (for cron).",
            discussion: """
                With --if-expiring-within, does nothing (exit 0) while the current timestamp \
                lasts longer than that. Warns when root, targets or snapshot expire before the \
                new timestamp does.
                """)

        @Argument(help: "Repository directory or http(s):// URL.")
        var repository: String
        @OptionGroup var tls: TLSOptions
        @Option(name: .long, help: "The timestamp role's private key file.")
        var timestampKey: String
        @Option(name: .long, help: "Lifetime of the new timestamp (default 1d).")
        var expires = "1d"
        @Option(name: .long, help: "Only re-sign when the current timestamp expires within this duration (e.g. 6h).")
        var ifExpiringWithin: String?
        @Flag(name: .long, help: "Print the result as JSON.")
        var json = false

        func run() throws {
            var expiries = RoleExpiries.defaults
            expiries.timestamp = try ExpirySpec(parsing: expires)
            var window: Int64?
            if let ifExpiringWithin {
                guard case let .after(seconds) = try ExpirySpec(parsing: ifExpiringWithin) else {
                    throw PublisherError.invalidExpiry(ifExpiringWithin, reason: "expected a duration such as 6h, not a date")
                }
                window = seconds
            }
            let opened = Repository(store: tls.store(repository), expiries: expiries)
            let report = try opened.refreshTimestamp(signers: Signers([try KeyFiles.signingKey(at: timestampKey)]), ifExpiringWithin: window)
            for role in report.expiringSoon { Output.warn("\(role) metadata expires before the new timestamp (\(report.expires)); publish or re-sign it") }
            if json {
                Output.json(
                    .object([
                        "refreshed": .bool(report.refreshed), "version": .integer(report.version),
                        "expires": .string(report.expires.description),
                        "expiring_soon": .array(report.expiringSoon.map { .string($0) })
                    ]))
            } else {
                Output.write(
                    report.refreshed
                        ? "timestamp v\(report.version), expires \(report.expires)\n"
                        : "timestamp v\(report.version) still valid until \(report.expires); nothing done\n")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Show the roles' versions and expiries and the defined packages.")

        @Argument(help: "Repository directory or http(s):// URL.")
        var repository: String
        @OptionGroup var tls: TLSOptions
        @Flag(name: .long, help: "Print {\"roles\": [...], \"targets\": [...]} as JSON.")
        var json = false
        @Flag(name: .long, help: "Print only the tarballs' torrent info-hashes, one a line (opentracker's whitelist).")
        var infohashes = false

        func run() throws {
            let listing = try Repository(store: tls.store(repository)).list()
            if infohashes {
                for hash in Set(listing.targets.compactMap(\.infoHash)).sorted() { Output.write(hash + "\n") }
                return
            }
            if json {
                Output.json(
                    .object([
                        "roles": .array(
                            listing.roles.map {
                                .object(["name": .string($0.name), "version": .integer($0.version), "expires": .string($0.expires.description)])
                            }),
                        "targets": .array(
                            listing.targets.map { entry in
                                var fields: [String: JSONValue] = [
                                    "path": .string(entry.path), "length": .integer(entry.length), "sha256": .string(entry.sha256)
                                ]
                                if let package = entry.package {
                                    fields["name"] = .string(package.name)
                                    fields["version"] = .string(package.version)
                                    fields["revision"] = .string(package.revision)
                                    fields["arch"] = .string(package.arch)
                                }
                                if let hash = entry.infoHash { fields["infohash"] = .string(hash) }
                                return .object(fields)
                            })
                    ]))
                return
            }
            for role in listing.roles { Output.write("\(role.name) v\(role.version) expires \(role.expires)\n") }
            Output.write("\(listing.targets.count) target(s)\n")
            for entry in listing.targets {
                let label = entry.package.map { "\($0.name) \($0.version)-\($0.revision) \($0.arch)" } ?? entry.path
                Output.write("  \(label)  \(entry.length) bytes  \(entry.sha256.prefix(12))\n")
            }
        }
    }
}
