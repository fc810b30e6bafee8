#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
public import Trust

/// A TUF fetcher for a repository with mirrors: a URL under `base` that fails (an HTTP error,
/// a broken connection, a missing file) is tried at the same path under each mirror in turn.
/// Every byte is still checked by the TUF client against signed metadata, so a mirror needs
/// no more trust than the repository itself. A place that failed is tried last by the later
/// requests of this fetcher (one dead repository costs one timeout, not one per file). When
/// no place has the file and at least one said so, the error is `notFound` (else `forbidden`
/// when one answered 403: the client relies on both to end the root chain); a byte cap or a
/// cancellation stops at once.
public struct MirroredFetcher: RemoteFetcher {
    public let inner: any RemoteFetcher
    public let base: String
    public let mirrors: [String]
    private let failures = FailureCounts()

    public init(_ inner: any RemoteFetcher, base: String, mirrors: [String]) {
        self.inner = inner
        self.base = Self.trimmed(base)
        self.mirrors = mirrors.map(Self.trimmed).filter { !$0.isEmpty && $0 != Self.trimmed(base) }
    }

    /// `url`, then the same path under each mirror (only for URLs under `base`); places that
    /// failed before come last, fewest failures first.
    public func candidates(for url: String) -> [String] {
        guard url.hasPrefix(base + "/") else { return [url] }
        let path = url.dropFirst(base.count)
        let places = failures.ordered([base] + mirrors)
        return places.map { $0 + path }
    }

    /// The place (`base` or a mirror) `url` is under.
    func place(of url: String) -> String {
        ([base] + mirrors).first { url.hasPrefix($0 + "/") } ?? url
    }

    public func fetch(_ url: String, maxLength: Int64) async throws -> [UInt8] {
        var failures: [FetchError] = []
        for candidate in candidates(for: url) {
            do { return try await inner.fetch(candidate, maxLength: maxLength) } catch let error as FetchError {
                if case .tooLarge = error { throw error }
                failures.append(error)
                noteFailure(error, at: candidate)
            }
        }
        throw Self.combined(failures, url: url)
    }

    public func download(_ url: String, to destination: String, maxLength: Int64) async throws -> Int64 {
        var failures: [FetchError] = []
        for candidate in candidates(for: url) {
            do { return try await inner.download(candidate, to: destination, maxLength: maxLength) } catch let error as FetchError {
                if case .tooLarge = error { throw error }
                failures.append(error)
                noteFailure(error, at: candidate)
                unlink(destination)  // the next mirror starts a new file
            }
        }
        throw Self.combined(failures, url: url)
    }

    /// A missing file (404, or 403 as S3-style stores answer) is the mirror's answer, not its failure.
    private func noteFailure(_ error: FetchError, at url: String) {
        switch error {
        case .notFound, .forbidden: return
        case .tooLarge, .failed: failures.add(place(of: url))
        }
    }

    static func combined(_ failures: [FetchError], url: String) -> FetchError {
        if failures.count == 1 { return failures[0] }
        if failures.contains(where: { if case .notFound = $0 { true } else { false } }) { return .notFound(url: url) }
        if failures.contains(where: { if case .forbidden = $0 { true } else { false } }) { return .forbidden(url: url) }
        return .failed(url: url, reason: "every mirror failed: " + failures.map(\.description).joined(separator: "; "))
    }

    static func trimmed(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}

/// Failures per place, shared by the copies of one `MirroredFetcher`.
final class FailureCounts: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func add(_ place: String) {
        counts.withLock { $0[place, default: 0] += 1 }
    }

    /// `places` stably sorted by failures, fewest first.
    func ordered(_ places: [String]) -> [String] {
        let snapshot = counts.withLock { $0 }
        return places.enumerated().sorted { lhs, rhs in
            let (left, right) = (snapshot[lhs.element, default: 0], snapshot[rhs.element, default: 0])
            return left != right ? left < right : lhs.offset < rhs.offset
        }.map(\.element)
    }
}
