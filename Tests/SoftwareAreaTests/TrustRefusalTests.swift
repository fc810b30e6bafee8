import Foundation
import SoftwareArea
import TestSupport
import Testing
import Torrents
import Transport
import Trust

/// The typed causes of a trust refusal and how they read: the words of the module that found
/// the problem, with what the area knows (which companion, which target) in front.
@Suite struct TrustRefusalTests {
    @Test func eachCauseReadsAsItsModuleSaidIt() {
        let fetch = UpdaterError.fetch(role: "timestamp", .notFound(url: "http://r/metadata/timestamp.json"))
        let cases: [(TrustRefusal, String)] = [
            (.update(fetch), fetch.description),
            (
                .companion(kind: "torrent", path: "a/zlib.torrent", .hashMismatch(name: "a/zlib.torrent", algorithm: "sha256", expected: "aa", got: "bb")),
                "torrent a/zlib.torrent refused: a/zlib.torrent: sha256 bb; expected aa"
            ),
            (.pieceList(path: "a/zlib.pieces", .missing(field: "pieces")), "piece-hash list a/zlib.pieces: piece-hash list: field pieces missing"),
            (.pieces(target: "a/zlib.tar.gz", .truncated(expected: 10, got: 4)), "a/zlib.tar.gz: body ended after 4 of 10 bytes"),
            (
                .transport(target: "a/zlib.tar.gz", .status(url: "http://r/t/zlib.tar.gz", code: 503)),
                "a/zlib.tar.gz: download failed: http://r/t/zlib.tar.gz: HTTP 503"
            ),
            (.refused("got 3 bytes"), "got 3 bytes")
        ]
        for (refusal, text) in cases { #expect(refusal.description == text) }
        let torrent = TrustRefusal.torrent(path: "a/zlib.torrent", .bencode(offset: 0, expected: "d", got: "x"))
        #expect(torrent.description == "torrent a/zlib.torrent: bencoding at byte 0: expected d, got x")
    }

    /// A catalog over an area that trusts no root yet: the TUF client's own error arrives typed,
    /// with the request in front, not as words to be parsed again.
    @Test func aCatalogKeepsTheUpdatersError() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alien-refusal-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let updater = Updater(
            metadataDirectory: directory, metadataBaseURL: "http://127.0.0.1:9/metadata", targetBaseURL: nil,
            fetcher: InMemoryFetcher(store: RemoteStore()))
        let catalog = PackageCatalog(updater: updater, arch: "slc9_x86-64")
        await #expect(throws: SoftwareAreaError.trust(package: "zlib", .update(.notInitialized(metadataDirectory: directory)))) {
            _ = try await catalog.available(name: "zlib")
        }
        let error = await #expect(throws: SoftwareAreaError.self) { _ = try await catalog.availableEverywhere() }
        #expect(error?.description == "(all targets): \(directory)/root.json: no trusted root; expected one written by `trust init`")
    }
}
