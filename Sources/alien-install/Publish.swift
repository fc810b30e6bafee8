import AlienModel
import ArgumentParser
import Foundation
import Publisher
import Torrents
import Trust

struct Publish: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish package tarballs into a TUF repository (directory or http(s):// URL taking PUT).",
        discussion: """
            With --work-dir, PACKAGES are package ids (ROOT, ROOT::v6-32-06, ROOT::v6-32-06-1) \
            looked up in WORK_DIR/TARS/<arch>/<Name>/, and their runtime dependencies are \
            published with them. Without it, PACKAGES are tarball files; their requirements \
            must already be published or be among them. Each --key is matched to the roles by \
            key id (targets, snapshot and timestamp are all re-signed). Files go first, then \
            targets, snapshot, and timestamp.json last; republishing an identical tarball does nothing. \
            Publishes into one repository take turns: the metadata is read, changed and written \
            under the repository's lock (REPO/.publish.lock: a file lock in a directory, a WebDAV \
            MKCOL collection over http), so a concurrent publish builds on this one; versioned \
            metadata files are never overwritten. \
            Each tarball gets a signed piece-hash list, the target <tarball>.pieces named in its \
            custom "pieces" field, so sites verify and extract it piece by piece while it \
            downloads (--no-pieces to leave it out). With --torrents (implied by --web-seed-base \
            or --tracker) each tarball also gets a torrent, the target <tarball>.torrent (stored \
            as <sha256>.<file>.torrent), with the tarball's repository URL as web seed and the \
            trackers; the tarball's custom metadata names it ("torrent") and its info-hash \
            ("infohash"), so sites trust the torrent through TUF. --torrent-version: v1 (default; \
            aria2c and every libtorrent peer can join), v2 or hybrid (libtorrent-only sites).
            """)

    @Option(name: .long, help: "Repository directory or http(s):// URL.")
    var repo: String
    @OptionGroup var tls: TLSOptions
    @Option(name: [.customShort("w"), .long], help: "Publish packages from this work directory's TARS store.")
    var workDir: String?
    @Option(name: .long, help: "Architecture in the work directory (default: its only one).")
    var arch: String?
    @OptionGroup var signing: SigningKeyOptions
    @Option(name: .customLong("expires"), help: "ROLE=DURATION for the roles signed now; repeatable.")
    var expires: [String] = []
    @Flag(name: .long, help: "Do not publish piece-hash lists (sites then download the whole tarball before extracting).")
    var noPieces = false
    @Flag(name: .long, help: "Publish a torrent target next to each tarball.")
    var torrents = false
    @Option(name: .long, help: "The repository's public base URL: the torrents' web seed is <URL>/targets/<tarball>.")
    var webSeedBase: String?
    @Option(name: .long, help: "Tracker announce URL written into the torrents; repeatable.")
    var tracker: [String] = []
    @Option(name: .long, help: "Torrent format: v1, v2 or hybrid.")
    var torrentVersion: String = "v1"
    @Flag(name: .long, help: "Mark the torrents private (peers only from the trackers).")
    var privateTorrents = false
    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false
    @Argument(help: "Package ids (with --work-dir) or tarball files.")
    var packages: [String]

    func validate() throws {
        if packages.isEmpty { throw ValidationError("name at least one package or tarball") }
        if signing.keys.isEmpty && signing.keysDir == nil { throw ValidationError("give the signing keys with --key or --keys-dir") }
        if TorrentVersion(rawValue: torrentVersion) == nil { throw ValidationError("--torrent-version: expected v1, v2 or hybrid, got \(torrentVersion)") }
    }

    func run() throws {
        let tarballs: [PackageTarball]
        if let workDir {
            let ids = try packages.map { try PackageID(parsing: $0) }
            tarballs = try WorkDirPackages(workDir: URL(fileURLWithPath: workDir), arch: arch).tarballs(for: ids)
        } else {
            tarballs = try Repository.inspect(packages.map { URL(fileURLWithPath: $0) })
        }
        let repository = Repository(store: tls.store(repo), expiries: try RoleExpiries(overrides: expires))
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("alien-publish-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        var extensions: [any PublishExtension] = []
        if !noPieces { extensions.append(PieceHashExtension(workDirectory: work.appendingPathComponent("pieces"))) }
        if torrents || webSeedBase != nil || !tracker.isEmpty {
            extensions.append(
                TorrentExtension(
                    workDirectory: work.appendingPathComponent("torrents"), webSeedBase: webSeedBase,
                    trackers: tracker, version: TorrentVersion(rawValue: torrentVersion) ?? .v1,
                    isPrivate: privateTorrents))
        }
        let report = try repository.publish(tarballs, signers: try signing.signers(), extensions: extensions)
        if json {
            func list(_ targets: [PublishReport.Target]) -> JSONValue {
                .array(targets.map { .object(["path": .string($0.path), "sha256": .string($0.sha256), "length": .integer($0.length)]) })
            }
            Output.json(
                .object([
                    "added": list(report.added), "replaced": list(report.replaced),
                    "unchanged": .array(report.unchanged.map { .string($0) }), "uploaded": .integer(Int64(report.uploaded)),
                    "targets_version": report.targetsVersion.map { .integer($0) } ?? .null,
                    "timestamp_version": report.timestampVersion.map { .integer($0) } ?? .null
                ]))
            return
        }
        for target in report.added { Output.write("added     \(target.path)\n") }
        for target in report.replaced { Output.write("replaced  \(target.path)\n") }
        for path in report.unchanged { Output.write("unchanged \(path)\n") }
        if let version = report.targetsVersion {
            Output.write(
                "targets v\(version), snapshot v\(report.snapshotVersion!), timestamp v\(report.timestampVersion!); \(report.uploaded) file(s) uploaded\n")
        } else {
            Output.write("nothing to publish: every target is already there\n")
        }
    }
}

struct Undefine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "undefine",
        abstract: "Withdraw a package version from a TUF repository (PackMan's undefine).",
        discussion: """
            NAME::VERSION withdraws every revision of VERSION, NAME::VERSION-REVISION one. \
            Refuses while another defined package requires it, unless --force. Only metadata \
            changes (new targets, snapshot, timestamp); the files stay.
            """)

    @Option(name: .long, help: "Repository directory or http(s):// URL.")
    var repo: String
    @OptionGroup var tls: TLSOptions
    @Option(name: .long, help: "Only this architecture.")
    var arch: String?
    @Flag(name: .long, help: "Withdraw even when other packages require it.")
    var force = false
    @OptionGroup var signing: SigningKeyOptions
    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false
    @Argument(help: "NAME::VERSION[-REVISION]")
    var package: String

    func run() throws {
        let report = try Repository(store: tls.store(repo))
            .undefine(try PackageID(parsing: package), arch: arch, force: force, signers: try signing.signers())
        if json {
            Output.json(
                .object([
                    "removed": .array(report.removed.map { .string($0) }), "targets_version": .integer(report.targetsVersion),
                    "timestamp_version": .integer(report.timestampVersion)
                ]))
        } else {
            for path in report.removed { Output.write("undefined \(path)\n") }
            Output.write("targets v\(report.targetsVersion), timestamp v\(report.timestampVersion)\n")
        }
    }
}
