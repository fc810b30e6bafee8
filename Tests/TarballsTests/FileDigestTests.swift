import AlienModel
import Foundation
import Tarballs
import Testing

@Suite struct FileDigestTests {
    @Test func hashesAFileAndRefusesMissingOnes() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("digest-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("abc".utf8).write(to: file)
        let digest = try #require(FileDigest.sha256(path: file.path))
        #expect(digest.size == 3)
        #expect(digest.hash.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(FileDigest.sha256(path: file.path + ".missing") == nil)
    }
}
