import Foundation
import Publisher
import Tarballs
import Testing
import Torrents
import Trust

/// Causes from Trust, Tarballs and Torrents stay typed inside `PublisherError` and read with
/// the file concerned in front.
@Suite struct PublisherErrorTests {
    @Test func typedCausesReadWithTheFileInFront() {
        let missing = TrustError.missingField(context: "targets", field: "signed")
        let cases: [(PublisherError, String)] = [
            (
                .invalidMetadata(file: "metadata/2.targets.json", expected: "targets", missing),
                "metadata/2.targets.json: expected targets metadata: \(missing)"
            ),
            (.invalidMetadata(file: "3.root.json", expected: nil, missing), "3.root.json: \(missing)"),
            (.trust(context: "snapshot", missing), "snapshot: \(missing)"),
            (.invalidKey(path: "k.key", expected: "an Ed25519 private key file", missing), "k.key: expected an Ed25519 private key file: \(missing)"),
            (
                .unreadableTarball(path: "a.tar.gz", .malformed(source: "a.tar.gz", entry: nil, detail: "not gzip")),
                "a.tar.gz: \(TarballError.malformed(source: "a.tar.gz", entry: nil, detail: "not gzip"))"
            ),
            (.pieceList(path: "a.tar.gz", .io(path: "a.tar.gz", reason: "gone")), "a.tar.gz: piece-hash list: a.tar.gz: gone"),
            (
                .torrent(path: "a.tar.gz", .failed(name: "a", reason: "no space")),
                "a.tar.gz: cannot make its torrent: \(TorrentError.failed(name: "a", reason: "no space"))"
            )
        ]
        for (error, text) in cases { #expect(error.description == text) }
    }

    @Test func refusalsKeepTheirCause() throws {
        let directory = try Fixtures.temporaryDirectory("publisher-errors")
        let garbage = directory.appendingPathComponent("junk.tar.gz")
        try Data("not a tarball".utf8).write(to: garbage)
        let tarball = #expect(throws: PublisherError.self) { try PackageTarball.inspect(garbage) }
        guard case let .unreadableTarball(path, cause)? = tarball else { Issue.record("\(String(describing: tarball))"); return }
        #expect(path == garbage.path)
        guard case .malformed = cause else { Issue.record("\(cause)"); return }

        let key = directory.appendingPathComponent("bad.key")
        try Data("{}".utf8).write(to: key)
        let refused = #expect(throws: PublisherError.self) { try KeyFiles.signingKey(at: key.path) }
        guard case let .invalidKey(keyPath, _, _)? = refused else { Issue.record("\(String(describing: refused))"); return }
        #expect(keyPath == key.path)
        #expect(refused?.description.hasPrefix("\(key.path): expected an Ed25519 private key file as `keys generate` writes it: ") == true)
    }
}
