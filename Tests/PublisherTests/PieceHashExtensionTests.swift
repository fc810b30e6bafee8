import AlienModel
import Foundation
import Publisher
import Testing
import TestSupport
import Transport
import Trust

/// Publishing writes a piece-hash sidecar target and names it in the tarball's `custom`; a TUF
/// client over HTTP finds and verifies the sidecar like any target, and the tarball streams
/// through `VerifiedPieceStream` against it.
@Suite struct PieceHashExtensionTests {
    @Test func publishingWritesTheSidecarThatVerifiesThroughTheTUFClient() async throws {
        let keys = Fixtures.Keys()
        let (repository, directory) = try Fixtures.repository("pieces", keys: keys)
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let big = FixturePackage(name: "zlib", version: "v1.3.1", payload: String(repeating: "payload-", count: 40_000))
        let files = try Fixtures.tarballs([big])
        let package = try PackageTarball.inspect(files[0])
        let work = directory.deletingLastPathComponent().appendingPathComponent("pieces-work")
        let plugin = PieceHashExtension(workDirectory: work, pieceLength: 16 << 10)
        try repository.publish([package], signers: keys.online, extensions: [plugin])

        let targets = try Fixtures.verify(directory)
        let listPath = package.targetPath + ".pieces"
        guard case let .object(custom)? = targets.targets[package.targetPath]?.custom else {
            Issue.record("no custom object")
            return
        }
        #expect(custom["pieces"] == .string(listPath))
        #expect(targets.targets[listPath] != nil, "the list is a target of its own")

        let server = try NginxServer(root: directory)
        defer { server.stop() }
        let client = directory.deletingLastPathComponent().appendingPathComponent("client")
        let rootV1 = try #require(FileManager.default.contents(atPath: directory.path + "/metadata/1.root.json"))
        try Updater.initialize(rootBytes: Array(rootV1), metadataDirectory: client.path + "/metadata")
        let base = server.baseURL.absoluteString
        let updater = Updater(
            metadataDirectory: client.path + "/metadata", metadataBaseURL: base + "/metadata",
            targetBaseURL: base + "/targets", fetcher: HTTPClient())
        let listInfo = try #require(try await updater.targetInfo(for: listPath))
        let listFile = try await updater.downloadTarget(listInfo, to: client.path + "/targets")
        let list = try PieceHashList(parsing: Array(try Data(contentsOf: URL(fileURLWithPath: listFile))))
        #expect(list.sha256 == package.sha256 && list.length == package.length && list.pieceLength == 16 << 10)
        #expect(list.pieces.count == PieceHashList.pieceCount(length: package.length, pieceLength: 16 << 10))

        let tarballInfo = try #require(try await updater.targetInfo(for: package.targetPath))
        let received = Received()
        let verifier = try VerifiedPieceStream(
            list: list, expectedLength: tarballInfo.file.length,
            expectedSHA256: tarballInfo.file.hashes["sha256"] ?? ""
        ) { received.bytes += $0 }
        let url =
            base + "/targets/"
            + PackageTarball.storedPath(targetPath: package.targetPath, sha256: package.sha256)
            .dropFirst("targets/".count)
        try await Transfers().stream(TransferRequest(url: String(url)), verifiedBy: verifier)
        #expect(received.bytes == Array(try Data(contentsOf: files[0])))
    }
}

final class Received {
    var bytes: [UInt8] = []
}
