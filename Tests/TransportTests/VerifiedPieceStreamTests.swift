import Foundation
import Testing
import TestSupport
import Transport
import Trust

/// Piece-by-piece verification: only verified pieces reach the consumer; a corrupted piece,
/// a truncated or over-long body and a wrong whole-file hash are refused; resume and a server
/// that ignores Range compose with it.
@Suite struct VerifiedPieceStreamTests {
    static let pieceLength = 16 << 10
    static let body = (0..<(5 * pieceLength + 1000)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
    static let list = try! PieceHashList.build(bytes: body, pieceLength: pieceLength)

    final class Collected {
        var pieces: [[UInt8]] = []
        var bytes: [UInt8] { pieces.flatMap { $0 } }
    }

    static func verifier(_ list: PieceHashList = list, into collected: Collected) throws -> VerifiedPieceStream {
        try VerifiedPieceStream(list: list, expectedLength: list.length, expectedSHA256: list.sha256) { collected.pieces.append($0) }
    }

    /// Feeds `bytes` in uneven chunks.
    static func feed(_ verifier: VerifiedPieceStream, _ bytes: [UInt8]) async throws {
        var start = 0, step = 1
        while start < bytes.count {
            let end = min(bytes.count, start + step * 1531)
            try await verifier.consume(Array(bytes[start..<end]))
            start = end
            step = step % 13 + 1
        }
    }

    @Test func aCorrectStreamPassesPieceByPiece() async throws {
        let collected = Collected()
        let verifier = try Self.verifier(into: collected)
        try await Self.feed(verifier, Self.body)
        try verifier.finish()
        #expect(collected.bytes == Self.body)
        #expect(collected.pieces.map(\.count) == [16_384, 16_384, 16_384, 16_384, 16_384, 1000])
    }

    @Test func aCorruptedPieceNeverReachesTheConsumer() async throws {
        var bad = Self.body
        bad[2 * Self.pieceLength + 5] ^= 0x55
        let collected = Collected()
        let verifier = try Self.verifier(into: collected)
        await #expect { try await Self.feed(verifier, bad) } throws: { error in
            guard case let .pieceMismatch(index, offset, expected, actual)? = error as? PieceVerificationError else { return false }
            return index == 2 && offset == 32_768 && expected == Self.list.pieces[2] && actual != expected
                && "\(error)".contains("piece 2")
        }
        #expect(collected.pieces.count == 2, "pieces 0 and 1 only")
        #expect(collected.bytes == Array(Self.body[0..<(2 * Self.pieceLength)]))
    }

    @Test func truncatedAndOverlongBodiesAreRefused() async throws {
        let collected = Collected()
        let short = try Self.verifier(into: collected)
        try await Self.feed(short, Array(Self.body.dropLast(10)))
        #expect(throws: PieceVerificationError.truncated(expected: Int64(Self.body.count), got: Int64(Self.body.count - 10))) { try short.finish() }
        #expect(collected.pieces.count == 5, "the incomplete last piece is never forwarded")

        let long = try Self.verifier(into: Collected())
        await #expect(throws: PieceVerificationError.self) { try await Self.feed(long, Self.body + [1, 2, 3]) }
    }

    @Test func aListThatDisagreesWithItsFileIsCaught() async throws {
        // Right piece hashes, wrong whole-file hash: refused at the end.
        var list = Self.list
        list.sha256 = String(repeating: "0", count: 64)
        let verifier = try VerifiedPieceStream(list: list, expectedLength: list.length, expectedSHA256: list.sha256) { _ in }
        try await Self.feed(verifier, Self.body)
        #expect { try verifier.finish() } throws: { error in
            if case let .fileMismatch(expected, actual)? = error as? PieceVerificationError {
                return expected == list.sha256 && actual == Self.list.sha256
            }
            return false
        }
        // A list for another file than the signed target is refused up front.
        #expect(throws: PieceVerificationError.self) {
            try VerifiedPieceStream(list: Self.list, expectedLength: Self.list.length + 1, expectedSHA256: Self.list.sha256) { _ in }
        }
    }

    @Test func resumeContinuesAfterTheLastByteAndRestartSkipsForwardedBytes() async throws {
        let collected = Collected()
        let verifier = try Self.verifier(into: collected)
        try await verifier.consume(Array(Self.body[0..<(Self.pieceLength * 2 + 500)]))
        #expect(try await verifier.resumeOffset() == Int64(Self.pieceLength * 2 + 500), "the partial third piece is kept")
        #expect(collected.bytes.count == Self.pieceLength * 2, "but not forwarded before it is verified")
        try await verifier.consume(Array(Self.body[(Self.pieceLength * 2 + 500)..<(Self.pieceLength * 3 + 7)]))
        try await verifier.restart()
        try await Self.feed(verifier, Self.body)
        try verifier.finish()
        #expect(collected.bytes == Self.body, "every byte forwarded exactly once")
    }

    @Test func overHTTPResumeAndIgnoredRangeComposeWithVerification() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pieces-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try Data(Self.body).write(to: root.appendingPathComponent("t.tar.gz"))
        let server = try FaultServer(root: root)
        defer { server.stop() }
        let transfers = Transfers(policy: TransferPolicy(connectTimeout: 2, backoffBase: 0.01))
        for faults in ["drop=40000", "drop=40000,norange"] {
            let collected = Collected()
            let verifier = try Self.verifier(into: collected)
            let report = try await transfers.stream(TransferRequest(url: server.url("t.tar.gz", faults: faults)), verifiedBy: verifier)
            #expect(collected.bytes == Self.body, "\(faults)")
            #expect(report.resumes == 1 && report.failures.count == 1, "\(faults): \(report)")
            #expect(report.restarts == (faults.contains("norange") ? 1 : 0))
        }
        #expect(server.logLines.contains { $0.hasSuffix("range=bytes=40000-") }, "resumed after the last byte received")

        // A corrupted byte is a verification failure, not something to retry.
        let verifier = try Self.verifier(into: Collected())
        await #expect(throws: PieceVerificationError.self) {
            try await transfers.stream(TransferRequest(url: server.url("t.tar.gz", faults: "corrupt=70000")), verifiedBy: verifier)
        }
    }
}
