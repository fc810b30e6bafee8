import AlienModel
import ArgumentParser
import Foundation
import HostEnvironment
import Synchronization
import Publisher
import SoftwareArea
import Transport
import Trust

/// Where the software area is, shared by install/remove/gc/verify/list/lease.
struct AreaOptions: ParsableArguments {
    @Option(name: .long, help: "The software area (default: $ALIEN_AREA).")
    var area: String?
    @Option(name: .long, help: "Architecture (default: remembered in the area, else this host's).")
    var arch: String?
    @Flag(name: .long, help: "Print one JSON object per line.")
    var json = false

    /// Opens the area; `repo`, `mirrors` and `authorities` are remembered, `root` bootstraps trust the first time.
    /// `mode: .existing` (read-only commands): a missing area is an error and nothing is created.
    func open(
        repo: String? = nil, mirrors: [String]? = nil, root: String? = nil, authorities: CertificateAuthorities? = nil,
        mode: SoftwareArea.OpenMode = .create
    ) throws -> SoftwareArea {
        guard let path = area ?? ProcessInfo.processInfo.environment["ALIEN_AREA"], !path.isEmpty else {
            throw ValidationError("give the software area with --area DIR (or set ALIEN_AREA)")
        }
        let reporter = AreaPrinter(json: json)
        return try SoftwareArea.open(
            root: path, arch: arch, repository: repo, mirrors: mirrors, rootFile: root, fetcher: HTTPClient(), reporter: reporter,
            mode: mode, defaultArch: (try? HostArchitecture.current())?.rawValue, authorities: authorities)
    }

    func packageIDs(_ texts: [String]) throws -> [PackageID] {
        var ids: [PackageID] = []
        for text in texts.flatMap({ $0.split(separator: ",").map(String.init) }) {
            do { ids.append(try PackageID(parsing: text)) } catch { throw ValidationError(error.description) }
        }
        return ids
    }

    func emit(_ value: JSONValue) {
        Output.write(String(decoding: value.compactJSONBytes, as: UTF8.self) + "\n")
    }
}

/// Where the area's packages come from: given once, remembered in the area (install, list).
struct RepositoryOptions: ParsableArguments {
    @Option(name: .long, help: "Repository base URL (…/metadata and …/targets under it); remembered.")
    var repo: String?
    @Option(
        name: .customLong("mirror"),
        help: ArgumentHelp(
            "A mirror of the repository (same layout; repeatable), tried in turn when the repository fails. Remembered; --mirror none forgets.",
            valueName: "URL"))
    var mirrors: [String] = []
    @Option(name: .long, help: "Root metadata to trust the first time (e.g. the repository's 1.root.json).")
    var root: String?
    @OptionGroup var tls: TLSOptions

    /// nil: keep the remembered mirrors; `none` alone forgets them.
    var givenMirrors: [String]? { mirrors.isEmpty ? nil : mirrors.filter { $0 != "none" } }
}

/// The CAs an https client trusts besides the system's: `--ca-path` (a hashed directory, grid
/// style), `--ca-file` (a PEM file), else `$X509_CERT_DIR`.
struct TLSOptions: ParsableArguments {
    @Option(
        name: .customLong("ca-path"),
        help: ArgumentHelp(
            "A directory of CA certificates in OpenSSL's hashed form (e.g. /etc/grid-security/certificates) trusted for https besides the system's (default: $X509_CERT_DIR).",
            valueName: "DIR"))
    var caPath: String?
    @Option(
        name: .customLong("ca-file"),
        help: ArgumentHelp(
            "A PEM file of CA certificates trusted for https instead of the system bundle.", valueName: "FILE"))
    var caFile: String?

    /// What the options name (nil when neither is given), with absolute paths.
    var given: CertificateAuthorities? {
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ path: String?) -> String? { path.map { $0.hasPrefix("/") ? $0 : cwd + "/" + $0 } }
        let chosen = CertificateAuthorities(path: absolute(caPath), file: absolute(caFile))
        return chosen.isEmpty ? nil : chosen
    }

    /// The options over `$X509_CERT_DIR`.
    var authorities: CertificateAuthorities { (given ?? CertificateAuthorities()).or(.environment()) }

    func client(connectTimeout: Int = 10, stallTimeout: Int = 30) -> HTTPClient {
        HTTPClient(connectTimeout: connectTimeout, stallTimeout: stallTimeout, authorities: authorities)
    }
}

/// Prints area progress: a line per step, or one JSON event per line. Download progress is a
/// live line (bytes, rate, ETA) rewritten in place on a terminal, left out of plain text
/// otherwise, and a `progress` JSON event with `--json`.
struct AreaPrinter: AreaReporter {
    let json: Bool
    let terminal: Bool
    /// Set once a closure's progress arrives: the live line then shows it, not each package's.
    private let closure = SharedFlag()
    /// The lock waits printed as lines (not on a terminal).
    private let lockWaits = SharedLockWaitLines()

    init(json: Bool, terminal: Bool = isatty(STDOUT_FILENO) == 1) {
        self.json = json
        self.terminal = terminal
    }

    func report(_ event: AreaEvent) {
        if json {
            Output.write(String(decoding: event.json.compactJSONBytes, as: UTF8.self) + "\n")
            return
        }
        let clear = terminal ? "\r\u{1B}[K" : ""
        if case .closureProgress = event { closure.set() }
        if case .progress = event, closure.isSet { return }
        switch event {
        case .progress, .closureProgress, .waiting:
            // The live line: rewritten in place on a terminal; a lock wait is worth a line anyway.
            if terminal {
                Output.write(clear + event.text)
            } else if case let .waiting(key, seconds, _) = event, lockWaits.wantsLine(key, seconds: seconds) {
                Output.write(event.text + "\n")
            }
            return
        default: break
        }
        Output.write(clear + event.text + "\n")
    }
}

/// `LockWaitLines` shared by the reports of an install's packages, from any thread.
final class SharedLockWaitLines: Sendable {
    private let lines = Mutex(LockWaitLines())
    func wantsLine(_ key: PackageBuild, seconds: Int) -> Bool { lines.withLock { $0.wantsLine(key, seconds: seconds) } }
}

/// A flag set once, read from any thread.
final class SharedFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

extension TLSOptions {
    /// A repository directory, or an http(s):// URL written by PUT with these CAs.
    func store(_ location: String) -> RepositoryStore {
        if location.hasPrefix("http://") || location.hasPrefix("https://") {
            return RepositoryStore(source: HTTPArtifactSource(baseURL: location, client: client()))
        }
        return RepositoryStore(location: location)
    }
}
