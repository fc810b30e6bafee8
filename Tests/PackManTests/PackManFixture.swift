import Foundation
import Hummingbird
import HummingbirdTesting
import PackMan
import Publisher
import SoftwareArea
import Tarballs
import TestSupport
import Transport
import Trust

/// A signed repository on disk (file:// URLs), an area, a tokens file, and a packmand on top.
struct PackManFixture {
    static let arch = "slc9_x86-64"
    static let jobToken = "job-secret-token"
    static let adminToken = "admin-secret-token"
    let base: URL
    let repo: URL
    let repository: Repository
    let signers: Signers

    init(_ name: String) throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("alien-packman-\(name)-\(UUID().uuidString)")
        repo = base.appendingPathComponent("repo")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        let root = [SigningKey.generate()], targets = SigningKey.generate(), snapshot = SigningKey.generate(), timestamp = SigningKey.generate()
        repository = Repository(store: RepositoryStore(location: repo.path, synchronize: false))
        try repository.initialize(rootKeys: root, rootThreshold: 1, targetsKey: targets, snapshotKey: snapshot, timestampKey: timestamp)
        signers = Signers([targets, snapshot, timestamp])
        let tokens = """
            # name role sha256
            agent job \(Tokens.hash(Self.jobToken))
            admin admin \(Tokens.hash(Self.adminToken))

            """
        try tokens.write(to: base.appendingPathComponent("tokens"), atomically: true, encoding: .utf8)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: base) }

    /// zlib, ROOT(zlib) with a program, published.
    static var standardPackages: [FixturePackage] {
        let zlib = FixturePackage(name: "zlib", version: "v1.3.1")
        var root = FixturePackage(name: "ROOT", version: "v6-32-06", requires: [zlib])
        root.programs = ["root-hello": "#!/bin/sh\necho \"ROOT at {PREFIX}\"\n"]
        return [zlib, root]
    }

    func publish(_ packages: [FixturePackage] = Self.standardPackages) throws {
        let directory = base.appendingPathComponent("tarballs-\(UUID().uuidString)")
        let files = try packages.map { try $0.pack(arch: Self.arch, to: directory.appendingPathComponent($0.fileName(arch: Self.arch))) }
        _ = try repository.publish(try Repository.inspect(files), signers: signers)
    }

    var rootFile: String { repo.appendingPathComponent("metadata/1.root.json").path }
    var area: String { base.appendingPathComponent("area").path }

    func config() -> DaemonConfig {
        var config = DaemonConfig(file: base.appendingPathComponent("packmand.yaml").path, area: area)
        config.arch = Self.arch
        config.repository = "file://" + repo.path
        config.trustedRoot = rootFile
        config.tokensFile = base.appendingPathComponent("tokens").path
        config.listen.unix = base.appendingPathComponent("packmand.sock").path
        return config
    }

    func daemon(_ config: DaemonConfig? = nil) async throws -> PackManDaemon {
        try await PackManDaemon.open(config: config ?? self.config())
    }

    static func app(_ daemon: PackManDaemon) -> some ApplicationProtocol {
        Application(router: daemon.router())
    }
}

extension TestResponse {
    var text: String { body.getString(at: body.readerIndex, length: body.readableBytes) ?? "" }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}

func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }

func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
