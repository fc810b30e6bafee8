import AlienModel
import Crypto
import Foundation
public import Trust

/// A `TransferConsumer` that lets no unverified byte through: it buffers one piece at a time,
/// checks the piece's sha256 against a (signed) `PieceHashList`, and only then hands the piece
/// to `forward` (say, a `TarballStream`). The whole file's sha256 and length are computed on
/// the way (on a queue of its own, overlapping the piece hashing) and checked by `finish()`,
/// unless made with `wholeFile: false`: the list is itself bound to the file's signed length
/// and sha256 (checked at `init`) and pins every byte through the piece hashes, so the second
/// hash over the whole file adds no check an attacker without the signing keys could pass. A
/// resumed transfer continues after the last byte received (a partly received piece stays in
/// the buffer and is checked once complete, so a connection that breaks before every piece's
/// end still makes progress); after a restart from byte 0 the bytes already forwarded are skipped.
public final class VerifiedPieceStream: TransferConsumer {
    public let list: PieceHashList
    private let forward: (_ piece: [UInt8]) async throws -> Void
    private var buffer: [UInt8] = []
    private let whole: BackgroundHasher?
    /// Bytes verified and forwarded.
    public private(set) var verifiedBytes: Int64 = 0
    private var nextPiece = 0
    /// After a restart: bytes at the start of the body, already forwarded, to drop again.
    private var skip: Int64 = 0
    private var finished = false

    /// `expectedLength` and `expectedSHA256` come from the tarball's signed target: the list
    /// must describe that file.
    public init(
        list: PieceHashList, expectedLength: Int64, expectedSHA256: String, wholeFile: Bool = true,
        forward: @escaping (_ piece: [UInt8]) async throws -> Void
    ) throws(PieceVerificationError) {
        guard list.length == expectedLength, list.sha256 == expectedSHA256.lowercased() else {
            throw .listMismatch(expected: "\(expectedLength) bytes, sha256 \(expectedSHA256)", got: "\(list.length) bytes, sha256 \(list.sha256)")
        }
        self.list = list
        self.forward = forward
        whole = wholeFile ? BackgroundHasher() : nil
        buffer.reserveCapacity(list.pieceLength)
    }

    public func resumeOffset() async throws -> Int64 {
        skip = 0
        return verifiedBytes + Int64(buffer.count)
    }

    public func restart() async throws {
        buffer.removeAll(keepingCapacity: true)
        skip = verifiedBytes
    }

    public func consume(_ bytes: [UInt8]) async throws {
        var start = 0
        if skip > 0 {
            let dropped = Int(min(skip, Int64(bytes.count)))
            skip -= Int64(dropped)
            start = dropped
        }
        while start < bytes.count {
            guard nextPiece < list.pieces.count else {
                throw PieceVerificationError.tooLong(expected: list.length, got: verifiedBytes + Int64(bytes.count - start))
            }
            let size = list.length(ofPiece: nextPiece)
            let take = min(size - buffer.count, bytes.count - start)
            buffer.append(contentsOf: bytes[start..<(start + take)])
            start += take
            if buffer.count == size { try await verifyPiece() }
        }
    }

    private func verifyPiece() async throws {
        let actual = buffer.withUnsafeBytes { raw in
            Hex.lowercase(SHA256.hash(data: raw))
        }
        let expected = list.pieces[nextPiece]
        guard actual == expected else {
            let index = nextPiece
            buffer.removeAll(keepingCapacity: true)
            throw PieceVerificationError.pieceMismatch(index: index, offset: Int64(index) * Int64(list.pieceLength), expected: expected, actual: actual)
        }
        let piece = buffer
        buffer.removeAll(keepingCapacity: true)
        await whole?.append(piece)
        try await forward(piece)
        verifiedBytes += Int64(piece.count)
        nextPiece += 1
    }

    /// After the transfer: every piece arrived and the whole file has the list's length and sha256.
    public func finish() throws(PieceVerificationError) {
        guard !finished else { return }
        guard nextPiece == list.pieces.count, buffer.isEmpty else {
            throw .truncated(expected: list.length, got: verifiedBytes + Int64(buffer.count))
        }
        if let whole {
            let actual = whole.finish()
            guard actual == list.sha256 else { throw .fileMismatch(expected: list.sha256, actual: actual) }
        }
        finished = true
    }
}

/// Why a verified stream stopped. Nothing of a refused piece reached the consumer.
public enum PieceVerificationError: Error, Hashable, Sendable, CustomStringConvertible {
    case listMismatch(expected: String, got: String)
    case pieceMismatch(index: Int, offset: Int64, expected: String, actual: String)
    case tooLong(expected: Int64, got: Int64)
    case truncated(expected: Int64, got: Int64)
    case fileMismatch(expected: String, actual: String)

    public var description: String {
        switch self {
        case let .listMismatch(expected, got): "piece-hash list does not describe the target: expected \(expected), got \(got)"
        case let .pieceMismatch(index, offset, expected, actual):
            "piece \(index) (from byte \(offset)): sha256 expected \(expected), got \(actual); refused"
        case let .tooLong(expected, got): "more bytes than the \(expected) the piece-hash list names (at least \(got))"
        case let .truncated(expected, got): "body ended after \(got) of \(expected) bytes"
        case let .fileMismatch(expected, actual): "whole-file sha256 expected \(expected), got \(actual)"
        }
    }
}

extension Transfers {
    /// Streams `request` through `verifier` (which forwards verified pieces) and checks the end.
    @discardableResult
    public func stream(
        _ request: TransferRequest, verifiedBy verifier: VerifiedPieceStream,
        progress: (@Sendable (TransferProgress) -> Void)? = nil
    ) async throws -> TransferReport {
        var request = request
        request.maxLength = min(request.maxLength ?? verifier.list.length, verifier.list.length)
        let report = try await stream(request, to: verifier, progress: progress)
        try verifier.finish()
        return report
    }
}
