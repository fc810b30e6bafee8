// transfer-bench: one download with the Transfers engine, timed in process (scripts/bench_transfer.sh).
//   transfer-bench pieces FILE LIST            write FILE's piece-hash list to LIST
//   transfer-bench file URL OUTPUT             download URL into OUTPUT (a new file)
//   transfer-bench verify URL LIST             stream URL through VerifiedPieceStream (pieces discarded)
//   transfer-bench gets URL N                  N sequential small GETs through HTTPClient's RemoteFetcher
//                                              (the engine, keep-alive) — what the TUF client does
//   transfer-bench blocking-gets URL N         the same with the blocking HTTPClient.get (a connection each)
// Prints {"mode": ..., "seconds": ..., "bytes": ...} on stdout.
import Foundation
import Transport
import Trust

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("transfer-bench: \(message)\n".utf8))
    exit(2)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 3 else { fail("usage: transfer-bench pieces FILE LIST | file URL OUTPUT | verify URL LIST") }
let (mode, first, second) = (arguments[0], arguments[1], arguments[2])
let clock = ContinuousClock()
let start = clock.now
var bytes: Int64 = 0
do {
    switch mode {
    case "pieces":
        let list = try PieceHashList.build(file: first)
        try Data(list.encoded).write(to: URL(fileURLWithPath: second))
        bytes = list.length
    case "file":
        bytes = try await Transfers().download(TransferRequest(url: first), to: second).bytes
    case "verify":
        let list = try PieceHashList(parsing: Array(try Data(contentsOf: URL(fileURLWithPath: second))))
        let verifier = try VerifiedPieceStream(list: list, expectedLength: list.length, expectedSHA256: list.sha256) { _ in }
        bytes = try await Transfers().stream(TransferRequest(url: first), verifiedBy: verifier).bytes
    case "gets":
        for _ in 0..<(Int(second) ?? 100) { bytes += Int64(try await HTTPClient().fetch(first, maxLength: 1 << 24).count) }
    case "blocking-gets":
        for _ in 0..<(Int(second) ?? 100) { bytes += Int64(try HTTPClient().get(first).count) }
    default:
        fail("unknown mode \(mode)")
    }
} catch {
    fail("\(error)")
}
let elapsed = clock.now - start
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print("{\"mode\": \"\(mode)\", \"seconds\": \(String(format: "%.4f", seconds)), \"bytes\": \(bytes)}")
