import Basics
import Foundation

/// How far a reader of a `UsageLog` has read: the file — by inode, which survives the rotation
/// to `<path>.1`, and by a hash of its first line, since a new file may get the inode of a
/// deleted one — and the byte after the last whole line taken.
public struct UsageLogPosition: Hashable, Sendable, Codable {
    public var inode: UInt64
    public var head: UInt64
    public var offset: Int64

    public init(inode: UInt64, head: UInt64, offset: Int64) {
        self.inode = inode
        self.head = head
        self.offset = offset
    }
}

extension UsageLog {
    /// The records appended since `position` (both generations whole when nil), oldest first,
    /// the position after them, and the lines that could not be read (`file:line: reason`, the
    /// line counted from where the reading started). A line without its newline yet is left for
    /// the next call. When both generations were replaced since `position`, what was between
    /// is gone; a problem says so.
    public func records(after position: UsageLogPosition?) throws(UsageLogError) -> (records: [UsageRecord], position: UsageLogPosition?, problems: [String]) {
        let current = Self.identity(of: path), previous = Self.identity(of: previousPath)
        var plan: [(file: String, offset: Int64)] = []
        var problems: [String] = []
        switch position {
        case nil:
            if previous != nil { plan.append((previousPath, 0)) }
            if current != nil { plan.append((path, 0)) }
        case let position? where current.map({ $0 == (position.inode, position.head) }) == true:
            plan.append((path, position.offset))
        case let position? where previous.map({ $0 == (position.inode, position.head) }) == true:
            plan.append((previousPath, position.offset))
            if current != nil { plan.append((path, 0)) }
        case _?:
            problems.append("\(path): both generations were replaced since the last reading; records in between are lost to it")
            if previous != nil { plan.append((previousPath, 0)) }
            if current != nil { plan.append((path, 0)) }
        }
        var records: [UsageRecord] = []
        var next = position
        for (file, offset) in plan {
            guard let handle = FileHandle(forReadingAtPath: file) else { continue }
            defer { try? handle.close() }
            // What was opened (a rotation may have happened since the look above).
            guard let inode = FileStamp(descriptor: handle.fileDescriptor)?.inode else { continue }
            let head = Self.head(of: handle)
            let data: Data
            do {
                try handle.seek(toOffset: UInt64(max(0, offset)))
                data = try handle.readToEnd() ?? Data()
            } catch {
                throw .io(path: file, reason: "cannot read: \(error.localizedDescription)")
            }
            guard let lastNewline = data.lastIndex(of: 0x0A) else {
                next = UsageLogPosition(inode: inode, head: head, offset: offset)
                continue
            }
            var number = 0
            for line in data[data.startIndex..<lastNewline].split(separator: 0x0A, omittingEmptySubsequences: false) {
                number += 1
                if line.isEmpty { continue }
                guard line.count <= Self.maximumLineBytes else {
                    problems.append("\(file):+\(number): longer than \(Self.maximumLineBytes) bytes")
                    continue
                }
                do { records.append(try UsageRecord(jsonLine: line)) } catch {
                    problems.append("\(file):+\(number): not a usage record (\(Self.describe(error)))")
                }
            }
            next = UsageLogPosition(inode: inode, head: head, offset: offset + Int64(lastNewline - data.startIndex + 1))
        }
        return (records, next, problems)
    }

    /// FNV-1a of the file's first line, its newline included: records carry their time, host,
    /// uid and job, so two files' first lines differ. 0 while there is no whole first line (then
    /// nothing was taken from the file, and reading it again from its start repeats nothing).
    static func head(of handle: FileHandle) -> UInt64 {
        guard (try? handle.seek(toOffset: 0)) != nil else { return 0 }
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        var read = 0
        while read <= maximumLineBytes, let chunk = try? handle.read(upToCount: 4096), !chunk.isEmpty {
            for byte in chunk {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
                if byte == 0x0A { return hash }
            }
            read += chunk.count
        }
        return 0
    }

    static func identity(of file: String) -> (UInt64, UInt64)? {
        guard let handle = FileHandle(forReadingAtPath: file) else { return nil }
        defer { try? handle.close() }
        guard let inode = FileStamp(descriptor: handle.fileDescriptor)?.inode else { return nil }
        return (inode, head(of: handle))
    }
}
