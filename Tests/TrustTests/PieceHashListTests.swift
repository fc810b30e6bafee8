import Crypto
import Foundation
import Testing
import Trust

/// The piece-hash list format: building (bytes and file agree), encoding round trip, and
/// refusal of malformed lists with the field named.
@Suite struct PieceHashListTests {
    static func hex(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    @Test func buildsPiecesAndRoundTrips() throws {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let list = try PieceHashList.build(bytes: bytes, pieceLength: 16 << 10)
        #expect(list.pieces.count == 7)
        #expect(list.length == 100_000 && list.sha256 == Self.hex(bytes))
        #expect(list.pieces[0] == Self.hex(Array(bytes[0..<16_384])))
        #expect(list.pieces[6] == Self.hex(Array(bytes[98_304...])))
        #expect(list.length(ofPiece: 6) == 100_000 - 6 * 16_384)
        #expect(try PieceHashList(parsing: list.encoded) == list)
        #expect(String(decoding: list.encoded, as: UTF8.self).hasPrefix("{\"format\":\"alien-pieces/1\",\"length\":100000,\"piece_length\":16384,"))

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pieces-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(bytes).write(to: file)
        #expect(try PieceHashList.build(file: file.path, pieceLength: 16 << 10) == list)
        let exact = try PieceHashList.build(bytes: Array(bytes[0..<32_768]), pieceLength: 16 << 10)
        #expect(exact.pieces.count == 2)
        #expect(try PieceHashList.build(bytes: []).pieces.isEmpty)
    }

    @Test func pieceLengthGrowsWithTheFile() {
        #expect(PieceHashList.pieceLength(forFileSize: 10) == 1 << 20)
        #expect(PieceHashList.pieceLength(forFileSize: 2 << 30) == 1 << 20)
        #expect(PieceHashList.pieceLength(forFileSize: (2 << 30) + 1) == 2 << 20)
        #expect(PieceHashList.pieceLength(forFileSize: 100 << 30) == 4 << 20)
    }

    @Test(arguments: [
        ("[]", "(top)"),
        ("{\"length\":1,\"piece_length\":16384,\"pieces\":[],\"sha256\":\"\"}", "format"),
        ("{\"format\":\"torrent\",\"length\":1,\"piece_length\":16384,\"pieces\":[],\"sha256\":\"\"}", "format"),
        ("{\"format\":\"alien-pieces/1\",\"length\":\"1\",\"piece_length\":16384,\"pieces\":[],\"sha256\":\"\"}", "length"),
        ("{\"format\":\"alien-pieces/1\",\"length\":-1,\"piece_length\":16384,\"pieces\":[],\"sha256\":\"\"}", "length"),
        ("{\"format\":\"alien-pieces/1\",\"length\":1,\"piece_length\":1000,\"pieces\":[],\"sha256\":\"\"}", "piece_length"),
        ("{\"format\":\"alien-pieces/1\",\"length\":1,\"piece_length\":0,\"pieces\":[],\"sha256\":\"\"}", "piece_length"),
        ("{\"format\":\"alien-pieces/1\",\"length\":1,\"piece_length\":16384,\"pieces\":[],\"sha256\":\"\"}", "pieces"),
        ("{\"format\":\"alien-pieces/1\",\"length\":0,\"piece_length\":16384,\"pieces\":[],\"sha256\":\"AB\"}", "sha256"),
        ("{\"format\":\"alien-pieces/1\",\"length\":1,\"piece_length\":16384,\"pieces\":[7],\"sha256\":\"\"}", "pieces[0]"),
        (
            "{\"format\":\"alien-pieces/1\",\"length\":1,\"piece_length\":16384,\"pieces\":[\"x\"],\"sha256\":\"\(String(repeating: "a", count: 64))\"}",
            "pieces[0]"
        ),
        ("{\"format\":\"alien-pieces/1\",\"length\":0,\"piece_length\":16384,\"pieces\":[],\"sha256\":\"\(String(repeating: "a", count: 64))\",\"x\":1}", "x")
    ])
    func malformedListsAreRefusedNamingTheField(text: String, field: String) {
        #expect { try PieceHashList(parsing: Array(text.utf8)) } throws: { error in
            guard let error = error as? PieceListError else { return false }
            switch error {
            case let .invalid(name, _, _), let .missing(name): return name == field
            default: return false
            }
        }
    }

    @Test func notJSONAtAllIsAJSONError() {
        #expect { try PieceHashList(parsing: Array("{\"format\":".utf8)) } throws: { error in
            if case .json = error as? PieceListError { return "\(error)".hasPrefix("piece-hash list: JSON byte") }
            return false
        }
    }
}
