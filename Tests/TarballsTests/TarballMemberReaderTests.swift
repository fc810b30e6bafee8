import Foundation
import Tarballs
import Testing

@Suite struct TarballMemberReaderTests {
    @Test func readsOneMemberAndStops() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("member-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let tree = base.appendingPathComponent("tree/arch/pkg/v1-1")
        try FileManager.default.createDirectory(at: tree.appendingPathComponent("lib"), withIntermediateDirectories: true)
        try Data("{\"a\":1}".utf8).write(to: tree.appendingPathComponent(".meta.json"))
        try Data(repeating: 1, count: 300_000).write(to: tree.appendingPathComponent("lib/big"))
        for compression in TarballCompression.allCases {
            let output = base.appendingPathComponent("p.\(compression.fileExtension)")
            _ = try TarballWriter(compression: compression, synchronize: false).pack(directory: base.appendingPathComponent("tree").path, to: output.path)
            let found = try #require(try TarballMemberReader().firstMember(of: output.path) { $0.hasSuffix("/.meta.json") })
            #expect(found.name == "arch/pkg/v1-1/.meta.json")
            #expect(found.bytes == Array("{\"a\":1}".utf8))
            let big = try #require(try TarballMemberReader().firstMember(of: output.path) { $0.hasSuffix("lib/big") })
            #expect(big.bytes.count == 300_000)
            #expect(try TarballMemberReader().firstMember(of: output.path) { $0 == "nothing" } == nil)
            #expect(throws: TarballError.self) {
                try TarballMemberReader(maxMemberBytes: 1000).firstMember(of: output.path) { $0.hasSuffix("lib/big") }
            }
        }
        let junk = base.appendingPathComponent("junk.tar.gz")
        try Data("junk".utf8).write(to: junk)
        #expect(throws: TarballError.self) { try TarballMemberReader().firstMember(of: junk.path) { _ in true } }
    }
}
