import AlienModel
public import Foundation
public import Tarballs

/// The builder's archiver: normalized `.tar.gz` with libarchive, secure streaming extraction.
public struct LibarchiveArchiver: PackageArchiver {
    /// The mtime of every entry (`SOURCE_DATE_EPOCH`, else 0) for reproducible tarballs.
    public var modificationTime: Int64

    public init(modificationTime: Int64 = 0) {
        self.modificationTime = modificationTime
    }

    public func pack(base: URL, relativePath: String, to output: URL) throws(TarballError) -> (size: Int64, sha256: String) {
        let packed = try TarballWriter(compression: .gzip, modificationTime: modificationTime)
            .pack(directory: base.path, members: [relativePath], to: output.path)
        return (Int64(packed.size), packed.sha256.hex)
    }

    public func extract(_ archive: URL, into destination: URL) throws(TarballError) {
        _ = try TarballExtractor().extract(archive: archive.path, into: destination.path)
    }
}
