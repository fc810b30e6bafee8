import Basics
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The local, append-only record of package uses: one JSON line per use in `<path>` (the
/// area's `.alien/usage.log` when no packmand keeps them), bounded on disk. Appends take an
/// exclusive `flock` on the file, so records of concurrent processes never interleave; when a
/// record would take the file past `maximumBytes` the file becomes `<path>.1` (replacing the
/// previous one) and the record starts a new file, so at most twice `maximumBytes` are kept; a
/// previous generation older than `retentionSeconds` is removed.
public struct UsageLog: Sendable {
    public var path: String
    public var maximumBytes: Int64
    public var retentionSeconds: Int64

    /// The longest line read back (a record is a few hundred bytes).
    public static let maximumLineBytes = 1 << 20

    public init(path: String, maximumBytes: Int64 = 64 << 20, retentionSeconds: Int64 = 400 * 86_400) {
        self.path = path
        self.maximumBytes = maximumBytes
        self.retentionSeconds = retentionSeconds
    }

    public var previousPath: String { path + ".1" }

    /// Appends the record (creating the file, mode 0644, and rotating it as described).
    public func append(_ record: UsageRecord, now: Int64) throws(UsageLogError) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else { throw .io(path: path, reason: "cannot open for appending: \(Self.lastError)") }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw .io(path: path, reason: "cannot lock: \(Self.lastError)") }
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .io(path: path, reason: "cannot stat: \(Self.lastError)") }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .io(path: path, reason: "not a regular file") }
        // Another process may have rotated the file between our open and our lock: then the
        // descriptor names the previous generation, and the record goes to the new file.
        var current = stat()
        if stat(path, &current) != 0 || current.st_ino != status.st_ino {
            return try append(record, now: now)
        }
        let line = record.jsonLine
        if status.st_size > 0, Int64(status.st_size) + Int64(line.count) > maximumBytes {
            // Full: this file becomes the previous generation, the record starts a new one.
            guard rename(path, previousPath) == 0 else { throw .io(path: path, reason: "cannot rotate to \(previousPath): \(Self.lastError)") }
            return try append(record, now: now)
        }
        let code = FileIO.writeAll(descriptor, line)
        guard code == 0 else { throw .io(path: path, reason: "cannot append: \(FileIO.describe(code))") }
        var previous = stat()
        if stat(previousPath, &previous) == 0, now - Int64(previous.st_mtim.tv_sec) > retentionSeconds {
            unlink(previousPath)
        }
    }

    /// The records `query` matches, oldest first (the previous generation, then the current
    /// file), and the lines that could not be read (`file:line: reason`) — a damaged line does
    /// not hide the others.
    public func records(matching query: UsageQuery = UsageQuery()) throws(UsageLogError) -> (records: [UsageRecord], problems: [String]) {
        var records: [UsageRecord] = []
        var problems: [String] = []
        for file in [previousPath, path] {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                if (error as NSError).code == NSFileReadNoSuchFileError || !FileManager.default.fileExists(atPath: file) { continue }
                throw .io(path: file, reason: "cannot read: \(error.localizedDescription)")
            }
            var number = 0
            for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
                number += 1
                if line.isEmpty { continue }
                guard line.count <= Self.maximumLineBytes else {
                    problems.append("\(file):\(number): longer than \(Self.maximumLineBytes) bytes")
                    continue
                }
                do {
                    let record = try UsageRecord(jsonLine: line)
                    if query.matches(record) { records.append(record) }
                } catch {
                    problems.append("\(file):\(number): not a usage record (\(Self.describe(error)))")
                }
            }
        }
        return (records, problems)
    }

    static var lastError: String { String(cString: strerror(errno)) }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, _): "missing \(key.stringValue)"
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        case let DecodingError.dataCorrupted(context): context.debugDescription
        default: "\(error)"
        }
    }
}

public enum UsageLogError: Error, Equatable, Sendable, CustomStringConvertible {
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .io(path, reason): "\(path): \(reason)"
        }
    }
}
