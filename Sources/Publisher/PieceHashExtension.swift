public import AlienModel
public import Foundation
import Trust

/// Publishes a piece-hash list (`PieceHashList`) next to every package tarball: the companion
/// target `<tarball target path>.pieces`, and in the tarball's `custom` the key `"pieces"` with
/// that target path. Sites verify downloads piece by piece against it (`VerifiedPieceStream`).
/// The list files are written into `workDirectory` (kept until the caller removes it).
public struct PieceHashExtension: PublishExtension {
    public static let customKey = PackageTargetMetadata.Key.pieces
    public static let suffix = ".pieces"

    public var workDirectory: URL
    /// Fixed piece length; nil picks one from the file size (`PieceHashList.pieceLength(forFileSize:)`).
    public var pieceLength: Int?

    public init(workDirectory: URL, pieceLength: Int? = nil) {
        self.workDirectory = workDirectory
        self.pieceLength = pieceLength
    }

    public static func listPath(for tarballTargetPath: String) -> String { tarballTargetPath + suffix }

    public func customFields(for package: PackageTarball) throws(PublisherError) -> [String: JSONValue] {
        [Self.customKey: .string(Self.listPath(for: package.targetPath))]
    }

    public func companionFiles(for package: PackageTarball) throws(PublisherError) -> [CompanionFile] {
        let list: PieceHashList
        do { list = try PieceHashList.build(file: package.file.path, pieceLength: pieceLength) } catch {
            throw .pieceList(path: package.file.path, error)
        }
        guard list.sha256 == package.sha256, list.length == package.length else {
            throw .tarball(path: package.file.path, reason: "changed while publishing: sha256 \(list.sha256), expected \(package.sha256)")
        }
        let file = workDirectory.appendingPathComponent("\(package.sha256)\(Self.suffix)")
        do {
            try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
            try Data(list.encoded).write(to: file, options: .atomic)
        } catch {
            throw .tarball(path: file.path, reason: "cannot write the piece-hash list: \(error.localizedDescription)")
        }
        return [
            CompanionFile(
                targetPath: Self.listPath(for: package.targetPath), file: file,
                custom: ["piece_hashes_of": .string(package.targetPath)])
        ]
    }
}
