import AlienModel
import ArgumentParser
import Foundation
import Transport
import Trust

/// `alien-install trust ...`: the TUF client workflow step by step, for admins who debug a site's
/// view of a repository. Exit 0 on full success, 1 on any failure (the reason on stderr).
struct TrustCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust",
        abstract: "Low-level TUF client: bootstrap trust, refresh metadata, download verified targets.",
        discussion: """
            A metadata directory holds the trusted metadata under non-versioned names (root.json, \
            timestamp.json, snapshot.json, targets.json, <delegated role>.json). `init` puts a root \
            there that the site got out of band; `refresh` runs the TUF 1.0 update workflow \
            (root rotation, timestamp, snapshot, targets; signatures, versions, expiry, lengths and \
            hashes); `download` also finds targets through delegations and fetches them, checking \
            length and hashes before anything can use them. Each role is stored once verified \
            (a later failure keeps it); refused metadata is never stored. URLs may be http://, \
            https:// or file://; http_proxy and https_proxy are honoured; https trusts the system's \
            CAs plus --ca-path/--ca-file (else $X509_CERT_DIR).
            """,
        subcommands: [Initialize.self, Refresh.self, Info.self, Download.self])

    struct Initialize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init", abstract: "Trust ROOT_JSON: check its self-signatures and store it in the metadata directory.")

        @Argument(help: "The root metadata file the site trusts (from the release managers).")
        var rootJSON: String
        @Option(name: .long, help: "The client's metadata directory (created if missing).")
        var metadataDir: String
        @Flag(name: .long, help: "Print the result as JSON.")
        var json = false

        func run() async throws {
            let state = try TrustClient.initialize(rootFile: rootJSON, metadataDirectory: metadataDir)
            if json {
                Output.write(String(decoding: state.json.compactJSONBytes, as: UTF8.self) + "\n")
            } else {
                Output.write("trusted root version \(state.version) (expires \(state.expires)) in \(metadataDir)\n")
            }
        }
    }

    struct Refresh: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "refresh", abstract: "Update the trusted metadata from the repository.")

        @OptionGroup var client: ClientOptions

        func run() async throws {
            let roles = try await TrustClient.refresh(
                metadataDirectory: client.metadataDir, metadataURL: client.metadataURL,
                fetcher: client.tls.client())
            if client.json {
                Output.write(String(decoding: JSONValue.array(roles.map(\.json)).compactJSONBytes, as: UTF8.self) + "\n")
            } else {
                for role in roles { Output.write("\(role.role) version \(role.version), expires \(role.expires)\n") }
            }
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "info",
            abstract: "Refresh, then show what trusted metadata says about targets (found through delegations).",
            discussion: "Exit status 1 when a path is listed by no trusted role.")

        @Argument(help: "Target paths.")
        var targetPaths: [String]
        @OptionGroup var client: ClientOptions

        func validate() throws {
            guard !targetPaths.isEmpty else { throw ValidationError("name at least one target path") }
        }

        func run() async throws {
            let found = try await TrustClient.lookup(
                targetPaths, metadataDirectory: client.metadataDir, metadataURL: client.metadataURL,
                fetcher: client.tls.client())
            if client.json {
                let rows = found.map { path, info in info?.json ?? .object(["path": .string(path), "missing": .bool(true)]) }
                Output.write(String(decoding: JSONValue.array(rows).compactJSONBytes, as: UTF8.self) + "\n")
            } else {
                for case let (_, info?) in found {
                    Output.write("\(info.path)  \(info.file.length) bytes  sha256 \(info.file.hashes["sha256"] ?? "-")  (role \(info.role))\n")
                }
            }
            let missing = found.filter { $0.1 == nil }.map(\.0)
            for path in missing { Output.error("\(path): no trusted targets role lists it") }
            if !missing.isEmpty { throw ExitCode(1) }
        }
    }

    struct Download: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "download",
            abstract: "Refresh, then download targets into --target-dir after checking length and hashes.",
            discussion: "A target already in --target-dir with matching length and hashes is not downloaded again.")

        @Argument(help: "Target paths as targets metadata lists them (e.g. slc9_x86-64/ROOT/ROOT-v6-1.slc9_x86-64.tar.gz).")
        var targetPaths: [String]
        @OptionGroup var client: ClientOptions
        @Option(name: .long, help: "Base URL of the repository's targets (…/targets).")
        var targetBaseURL: String
        @Option(name: .long, help: "Where verified targets are written, as <dir>/<target path>.")
        var targetDir: String

        func validate() throws {
            guard !targetPaths.isEmpty else { throw ValidationError("name at least one target path") }
        }

        func run() async throws {
            let outcomes = try await TrustClient.download(
                targetPaths, metadataDirectory: client.metadataDir, metadataURL: client.metadataURL,
                targetBaseURL: targetBaseURL, targetDirectory: targetDir, fetcher: client.tls.client())
            if client.json {
                Output.write(String(decoding: JSONValue.array(outcomes.map(\.json)).compactJSONBytes, as: UTF8.self) + "\n")
            }
            var failed = false
            for outcome in outcomes {
                switch outcome.status {
                case .downloaded, .cached:
                    if !client.json { Output.write("\(outcome.status.rawValue) \(outcome.path) → \(outcome.localPath ?? "")\n") }
                case .unknown, .failed:
                    failed = true
                    Output.error("\(outcome.path): \(outcome.reason ?? outcome.status.rawValue)")
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}

/// Where the client keeps its trust and where the repository's metadata is.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: "The client's metadata directory (made by `trust init`).")
    var metadataDir: String
    @Option(name: .customLong("metadata-url"), help: "Base URL of the repository's metadata (…/metadata).")
    var metadataURL: String
    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false
    @OptionGroup var tls: TLSOptions
}
