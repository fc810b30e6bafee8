import Foundation
import Synchronization
import Tarballs
import Testing

@Suite struct TarballStreamTests {
    /// Our tarball of the sample tree, its bytes, and what the file API makes of it.
    struct Packed {
        let work: TemporaryDirectory
        let archive: String
        let bytes: [UInt8]
        let summary: ExtractionSummary
        let snapshot: TreeSnapshot

        init(_ compression: TarballCompression) throws {
            work = try TemporaryDirectory("stream")
            try SampleTree.make(in: work.sub("src"))
            archive = work.sub("x.\(compression.fileExtension)")
            _ = try TarballWriter(compression: compression).pack(directory: work.sub("src"), members: ["pkg"], to: archive)
            bytes = try Array(Data(contentsOf: URL(fileURLWithPath: archive)))
            summary = try TarballExtractor().extract(archive: archive, into: work.sub("by-path"))
            snapshot = try TreeSnapshot(of: work.sub("by-path"))
        }
    }

    /// Splits bytes into chunks of the given sizes, in turn.
    static func chunks(_ bytes: [UInt8], sizes: [Int]) -> [[UInt8]] {
        var chunks: [[UInt8]] = []
        var offset = 0
        var turn = 0
        while offset < bytes.count {
            let size = min(sizes[turn % sizes.count], bytes.count - offset)
            chunks.append(Array(bytes[offset..<offset + size]))
            offset += size
            turn += 1
        }
        return chunks
    }

    @Test(arguments: TarballCompression.allCases, [[1, 7, 4093, 65_537], [512], [3_000_000], [1, 1, 1, 100_003]])
    func oddChunksGiveTheSameResultAsTheFile(_ compression: TarballCompression, _ sizes: [Int]) throws {
        let packed = try Packed(compression)
        let stream = try TarballExtractor().stream(into: packed.work.sub("by-stream"))
        for chunk in Self.chunks(packed.bytes, sizes: sizes) {
            try chunk.withUnsafeBytes { try stream.feed($0) }
        }
        let summary = try stream.finish()
        #expect(summary == packed.summary)
        #expect(try TreeSnapshot(of: packed.work.sub("by-stream")) == packed.snapshot)
    }

    @Test func extractedSoFarCountsUpToTheSummary() throws {
        let packed = try Packed(.gzip)
        let stream = try TarballExtractor().stream(into: packed.work.sub("counted"))
        #expect(stream.extractedSoFar.entries == 0)
        var seen: [Int] = []
        for chunk in Self.chunks(packed.bytes, sizes: [97]) {
            try chunk.withUnsafeBytes { try stream.feed($0) }
            seen.append(stream.extractedSoFar.entries)
        }
        let summary = try stream.finish()
        let entries = summary.regularFiles + summary.directories + summary.symlinks + summary.hardLinks
        #expect(seen == seen.sorted(), "the count only grows")
        #expect(stream.extractedSoFar.entries >= entries)
        #expect(stream.extractedSoFar.bytes == summary.bytes)
    }

    @Test func asyncSequenceOfChunks() async throws {
        let packed = try Packed(.zstd)
        let chunks = Self.chunks(packed.bytes, sizes: [333, 70_001])
        let sequence = AsyncStream<[UInt8]> { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
        }
        let summary = try await TarballExtractor().extract(chunks: sequence, into: packed.work.sub("async"))
        #expect(summary == packed.summary)
        #expect(try TreeSnapshot(of: packed.work.sub("async")) == packed.snapshot)
    }

    /// Chunks near the 4 MiB buffer size make async senders wait for room.
    @Test func asyncSendersWaitForRoom() async throws {
        let work = try TemporaryDirectory()
        let data = SampleTree.random(12_000_000, seed: 12)
        let bytes = try RawArchive.bytes([.file("a", data), .file("b", Array(data.prefix(5_000_000)))], filter: .zstd)
        let chunks = Self.chunks(bytes, sizes: [3_000_001, 1_500_000])
        let sequence = AsyncStream<[UInt8]> { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
        }
        let summary = try await TarballExtractor().extract(chunks: sequence, into: work.sub("out"))
        #expect(summary.regularFiles == 2 && summary.bytes == 17_000_000)
        #expect(try TreeSnapshot(of: work.sub("out")).entries["a"]?.hasPrefix("file 644 12000000 ") == true)
    }

    struct Interrupted: Error {}

    @Test func aFailingSequenceCancelsAndEmptiesTheTarget() async throws {
        let packed = try Packed(.gzip)
        let head = Array(packed.bytes.prefix(packed.bytes.count / 2))
        let sequence = AsyncThrowingStream<[UInt8], any Error> { continuation in
            continuation.yield(head)
            continuation.finish(throwing: Interrupted())
        }
        await #expect(throws: Interrupted.self) {
            try await TarballExtractor().extract(chunks: sequence, into: packed.work.sub("async"))
        }
        #expect(listing(packed.work.sub("async")).isEmpty)
    }

    /// A refusal surfaces while feeding, long before the end of a large archive.
    @Test func refusalStopsFeedingEarly() throws {
        let work = try TemporaryDirectory()
        let bytes = try RawArchive.bytes(
            [.file("ok"), .symlink("etc", to: "/etc"), .file("big", SampleTree.random(30_000_000, seed: 8))],
            filter: .gzip)
        let stream = try TarballExtractor().stream(into: work.sub("out"))
        var fed = 0
        var failure: TarballError?
        for chunk in Self.chunks(bytes, sizes: [16_384]) {
            do {
                try stream.feed(chunk)
                fed += chunk.count
            } catch {
                failure = error
                break
            }
        }
        #expect(failure == .refused(entry: "etc", rule: .symlinkAbsolute(target: "/etc")))
        #expect(fed < bytes.count / 2, "fed \(fed) of \(bytes.count)")
        #expect(throws: try #require(failure)) { try stream.finish() }
        #expect(listing(work.sub("out")).isEmpty)
    }

    @Test func truncatedStreamFailsAtFinish() throws {
        let packed = try Packed(.gzip)
        let stream = try TarballExtractor().stream(into: packed.work.sub("cut"))
        try stream.feed(Array(packed.bytes.prefix(packed.bytes.count - 1000)))
        #expect {
            try stream.finish()
        } throws: { error in
            guard let error = error as? TarballError, case .malformed = error else { return false }
            return true
        }
        #expect(listing(packed.work.sub("cut")).isEmpty)
    }

    @Test func cancelEmptiesTheTargetEvenAfterTheArchiveEnded() throws {
        let packed = try Packed(.gzip)
        let stream = try TarballExtractor().stream(into: packed.work.sub("cancelled"))
        try stream.feed(packed.bytes)
        // Every byte is fed; wait until the extraction thread has written entries, then cancel
        // (as a caller whose final hash check failed would). The input is not closed, so how far
        // libarchive gets before it asks for more is its own business: the old wait for ten
        // entries in `pkg` (it has fewer) always ran out its 5 s instead. 300 s: a hang catcher.
        for _ in 0..<30_000 where stream.extractedSoFar.entries == 0 || listing(packed.work.sub("cancelled") + "/pkg").isEmpty {
            Thread.sleep(forTimeInterval: 0.01)
        }
        stream.cancel()
        #expect(listing(packed.work.sub("cancelled")).isEmpty)
        #expect(throws: TarballError.streamFinished(destination: packed.work.sub("cancelled"))) { try stream.finish() }
    }

    @Test func cancelWhileWaitingForBytes() throws {
        let packed = try Packed(.zstd)
        let stream = try TarballExtractor().stream(into: packed.work.sub("half"))
        try stream.feed(Array(packed.bytes.prefix(packed.bytes.count / 2)))
        stream.cancel()
        #expect(listing(packed.work.sub("half")).isEmpty)
        #expect(throws: TarballError.cancelled(destination: packed.work.sub("half"))) {
            try stream.feed([1, 2, 3])
        }
    }

    /// finish() and cancel() racing: exactly one wins, and the directory agrees with it.
    @Test func finishRacingCancel() throws {
        let packed = try Packed(.zstd)
        for attempt in 0..<10 {
            let target = packed.work.sub("race-\(attempt)")
            let stream = try TarballExtractor().stream(into: target)
            try stream.feed(packed.bytes)
            let finished = Mutex<Result<ExtractionSummary, TarballError>?>(nil)
            DispatchQueue.concurrentPerform(iterations: 2) { index in
                if index == 0 {
                    let result = Result { () throws(TarballError) in try stream.finish() }
                    finished.withLock { $0 = result }
                } else {
                    stream.cancel()
                }
            }
            switch finished.withLock({ $0 }) {
            case .success(let summary)?:
                #expect(summary == packed.summary)
                #expect(try TreeSnapshot(of: target) == packed.snapshot)
            case .failure(let error)?:
                #expect(error == .cancelled(destination: target) || error == .streamFinished(destination: target))
                #expect(listing(target).isEmpty)
            case nil:
                Issue.record("finish did not run")
            }
        }
    }

    @Test func droppingAStreamCancelsIt() throws {
        let packed = try Packed(.gzip)
        do {
            let stream = try TarballExtractor().stream(into: packed.work.sub("dropped"))
            try stream.feed(Array(packed.bytes.prefix(packed.bytes.count / 3)))
        }
        #expect(listing(packed.work.sub("dropped")).isEmpty)
    }

    @Test func bytesAfterTheEndAreIgnored() throws {
        let packed = try Packed(.gzip)
        let stream = try TarballExtractor().stream(into: packed.work.sub("trailing"))
        try stream.feed(packed.bytes)
        try stream.feed([UInt8](repeating: 0, count: 100_000))
        #expect(try stream.finish() == packed.summary)
    }

    @Test func feedAfterFinishIsRefused() throws {
        let packed = try Packed(.zstd)
        let stream = try TarballExtractor().stream(into: packed.work.sub("done"))
        try stream.feed(packed.bytes)
        _ = try stream.finish()
        #expect(throws: TarballError.streamFinished(destination: packed.work.sub("done"))) { try stream.feed([0]) }
        #expect(throws: TarballError.streamFinished(destination: packed.work.sub("done"))) { try stream.finish() }
    }

    @Test func garbageStream() throws {
        let work = try TemporaryDirectory()
        let stream = try TarballExtractor().stream(into: work.sub("out"))
        try? stream.feed(SampleTree.random(10_000, seed: 11))
        #expect(throws: TarballError.self) { try stream.finish() }
        #expect(listing(work.sub("out")).isEmpty)
    }

    @Test func nonEmptyTargetIsRefusedUpFront() throws {
        let work = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: work.sub("out/old"), withIntermediateDirectories: true)
        #expect(throws: TarballError.badDestination(path: work.sub("out"), reason: "not empty (holds old)")) {
            try TarballExtractor().stream(into: work.sub("out"))
        }
    }
}
