public import Foundation
import Tarballs

/// aliBuild's relocation as the Builder uses it: `Tarballs.PackageRelocation` (shared with the
/// software area, which installs packages at sites), with its errors as `BuildError`s.
public enum Relocation {
    /// See `PackageRelocation.prepare`.
    public static func prepare(
        installDir: URL, packagePath: String, hash: String, revision: String,
        buildPrefix: String? = nil
    ) throws(BuildError) {
        do {
            try PackageRelocation.prepare(
                installDir: installDir, packagePath: packagePath, hash: hash, revision: revision,
                buildPrefix: buildPrefix)
        } catch {
            throw map(error)
        }
    }

    /// See `PackageRelocation.relocate`.
    public static func relocate(_ directory: URL, to prefix: String, packagePath: String, hash: String, revision: String) throws(BuildError) {
        do {
            try PackageRelocation.relocate(directory, to: prefix, packagePath: packagePath, hash: hash, revision: revision)
        } catch {
            throw map(error)
        }
    }

    static func rewritePrefix(_ bytes: [UInt8], marker: [UInt8], replacement: [UInt8]) -> [UInt8] {
        PackageRelocation.rewritePrefix(bytes, marker: marker, replacement: replacement)
    }

    static func replaceAll(_ bytes: [UInt8], _ marker: [UInt8], with replacement: [UInt8]) -> [UInt8] {
        PackageRelocation.replaceAll(bytes, marker, with: replacement)
    }

    private static func map(_ error: RelocationError) -> BuildError {
        switch error {
        case let .io(path, reason): .io(path: path, reason: reason)
        case let .rewrite(path, reason): .relocation(path: path, reason: reason)
        case let .refusedEntry(list, line, entry, reason): .relocation(path: "\(list):\(line)", reason: "entry \"\(entry)\" refused: \(reason)")
        }
    }
}
