import Basics
import Foundation
import Publisher
import SoftwareArea
import Tarballs
import TestSupport
import Transport
import Trust

/// A signed repository on disk (published with the real `Publisher`) and areas that install from
/// it over file:// URLs.
struct AreaFixture {
    static let arch = "slc9_x86-64"
    let base: URL
    let repo: URL
    let repository: Repository
    let signers: Signers

    init(_ name: String) throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("alien-area-\(name)-\(UUID().uuidString)")
        repo = base.appendingPathComponent("repo")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        let root = [SigningKey.generate()], targets = SigningKey.generate(), snapshot = SigningKey.generate(), timestamp = SigningKey.generate()
        repository = Repository(store: RepositoryStore(location: repo.path, synchronize: false))
        try repository.initialize(rootKeys: root, rootThreshold: 1, targetsKey: targets, snapshotKey: snapshot, timestampKey: timestamp)
        signers = Signers([targets, snapshot, timestamp])
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: base)
    }

    /// Packs and publishes the packages (each alone: list dependencies too, dependencies first).
    /// `pieces`: with piece-hash lists (`PieceHashExtension`), pieces of `pieceLength` bytes.
    @discardableResult
    func publish(_ packages: [FixturePackage], pieces: Bool = false, pieceLength: Int? = nil) throws -> [URL] {
        let directory = base.appendingPathComponent("tarballs-\(UUID().uuidString)")
        let files = try packages.map { try $0.pack(arch: Self.arch, to: directory.appendingPathComponent($0.fileName(arch: Self.arch))) }
        let extensions: [any PublishExtension] =
            pieces
            ? [PieceHashExtension(workDirectory: base.appendingPathComponent("pieces-\(UUID().uuidString)"), pieceLength: pieceLength)] : []
        _ = try repository.publish(try Repository.inspect(files), signers: signers, extensions: extensions)
        return files
    }

    /// The stored piece-hash list of a package published with pieces.
    func storedPieceList(_ package: FixturePackage) throws -> URL {
        let directory = repo.appendingPathComponent("targets/\(Self.arch)/\(package.name)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        guard let name = names.first(where: { $0.hasSuffix("." + package.fileName(arch: Self.arch) + ".pieces") }) else {
            throw Failure("no stored piece-hash list for \(package.name) in \(directory.path)")
        }
        return directory.appendingPathComponent(name)
    }

    /// Publishes an already made tarball file.
    func publish(file: URL) throws {
        _ = try repository.publish(try Repository.inspect([file]), signers: signers)
    }

    var rootFile: String { repo.appendingPathComponent("metadata/1.root.json").path }
    var repoURL: String { "file://" + repo.path }

    func areaPath(_ name: String = "area") -> String { base.appendingPathComponent(name).path }

    func area(_ name: String = "area", reporter: any AreaReporter = SilentReporter(), repository: String? = nil) throws -> SoftwareArea {
        try SoftwareArea.open(
            root: areaPath(name), arch: Self.arch, repository: repository ?? repoURL, rootFile: rootFile, fetcher: HTTPClient(),
            reporter: reporter)
    }

    /// The stored file of a published package (`targets/<arch>/<Name>/<sha256>.<file>`).
    func storedTarball(_ package: FixturePackage) throws -> URL {
        let directory = repo.appendingPathComponent("targets/\(Self.arch)/\(package.name)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        guard let name = names.first(where: { $0.hasSuffix("." + package.fileName(arch: Self.arch)) }) else {
            throw Failure("no stored tarball for \(package.name) in \(directory.path)")
        }
        return directory.appendingPathComponent(name)
    }

    /// Every path under `directory` (files, dirs, links), relative, sorted.
    static func tree(_ directory: String) -> [String] {
        ((FileManager.default.enumerator(atPath: directory)?.allObjects as? [String]) ?? []).sorted()
    }

    /// Runs a program, returns (status, stdout).
    static func run(_ path: String, _ arguments: [String] = []) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.start()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// Records area events.
final class RecordingReporter: AreaReporter, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [AreaEvent] = []
    func report(_ event: AreaEvent) { lock.withLock { recorded.append(event) } }
    var events: [AreaEvent] { lock.withLock { recorded } }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
