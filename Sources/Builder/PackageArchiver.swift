public import Foundation
public import Tarballs

/// How the builder packs and unpacks package tarballs; the real one is libarchive-based
/// (`Tarballs`), tests may substitute another.
public protocol PackageArchiver: Sendable {
    /// Packs `base/relativePath` (names relative to `base`) into `output`, normalized.
    func pack(base: URL, relativePath: String, to output: URL) throws(TarballError) -> (size: Int64, sha256: String)
    /// Extracts `archive` into the (new, empty) directory `destination`, securely.
    func extract(_ archive: URL, into destination: URL) throws(TarballError)
}
