import CArchive

/// Reads single small files out of a tarball without extracting it: the publisher takes a
/// package's `.meta.json` this way. Entries are streamed in archive order and the reading stops
/// at the first match, so a member near the front (`.meta.json` sorts early) costs little.
public struct TarballMemberReader: Sendable {
    /// Members larger than this are refused (they are read into memory).
    public var maxMemberBytes: Int

    public init(maxMemberBytes: Int = 16 << 20) {
        self.maxMemberBytes = maxMemberBytes
    }

    /// The name and bytes of the first regular-file entry of `archive` for which `matches`
    /// returns true (entry names as stored, without a leading `./`), or nil when none does.
    public func firstMember(of archive: String, where matches: (String) -> Bool) throws(TarballError) -> (name: String, bytes: [UInt8])? {
        try POSIX.withUTF8Locale { () throws(TarballError) -> (name: String, bytes: [UInt8])? in
            let reader = try ExtractionSession.makeReader(source: archive)
            defer { archive_read_free(reader) }
            guard archive_read_open_filename(reader, archive, 256 * 1024) == ARCHIVE_OK else {
                throw .malformed(source: archive, entry: nil, detail: ArchiveOutput.message(reader))
            }
            var entry: OpaquePointer?
            while true {
                let status = archive_read_next_header(reader, &entry)
                if status == ARCHIVE_EOF { return nil }
                guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
                    throw .malformed(source: archive, entry: nil, detail: ArchiveOutput.message(reader))
                }
                guard let raw = archive_entry_pathname(entry) else { continue }
                var name = String(cString: raw)
                if name.hasPrefix("./") { name.removeFirst(2) }
                guard UInt32(archive_entry_filetype(entry)) == CARCHIVE_AE_IFREG, matches(name) else { continue }
                return (name, try readData(reader, source: archive, entry: name))
            }
        }
    }

    private func readData(_ reader: OpaquePointer, source: String, entry: String) throws(TarballError) -> [UInt8] {
        var bytes: [UInt8] = []
        var block: UnsafeRawPointer?
        var length = 0
        var offset: la_int64_t = 0
        while true {
            let status = archive_read_data_block(reader, &block, &length, &offset)
            if status == ARCHIVE_EOF { return bytes }
            guard status == ARCHIVE_OK else {
                throw .malformed(source: source, entry: entry, detail: ArchiveOutput.message(reader))
            }
            guard length > 0, let block else { continue }
            let end = Int(offset) + length
            guard end <= maxMemberBytes else {
                throw .refused(entry: entry, rule: .entryTooLarge(size: UInt64(end), limit: UInt64(maxMemberBytes)))
            }
            if bytes.count < end { bytes.append(contentsOf: repeatElement(0, count: end - bytes.count)) }
            bytes.withUnsafeMutableBytes { target in
                target.baseAddress!.advanced(by: Int(offset)).copyMemory(from: block, byteCount: length)
            }
        }
    }
}
