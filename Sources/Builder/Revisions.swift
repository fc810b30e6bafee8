public import AlienModel
public import Foundation

/// aliBuild's revision numbering (build.py:816-933) for packages published to a shared
/// store: a link in `TARS/<arch>/<pkg>/` whose store hash equals this hash gives its revision
/// back; otherwise the smallest number ≥ 1 no link of this version uses.
public enum Revisions {
    public struct Decision: Hashable, Sendable {
        public var revision: String
        /// True when a tarball of this very hash is already in the store.
        public var reused: Bool
    }

    public static func decide(
        _ name: PackageName, version: String, hash: String, layout: BuildLayout,
        fileManager: FileManager = .default
    ) -> Decision {
        let directory = layout.linksDirectory(name)
        let prefix = "\(name)-\(version)-", suffix = ".\(layout.architecture).tar.gz"
        var busy = Set<Int>()
        for entry in (try? fileManager.contentsOfDirectory(atPath: directory.path)) ?? [] {
            guard entry.hasPrefix(prefix), entry.hasSuffix(suffix) else { continue }
            let revision = String(entry.dropFirst(prefix.count).dropLast(suffix.count))
            guard let number = Int(revision), number >= 1, String(number) == revision else { continue }
            let target = (try? fileManager.destinationOfSymbolicLink(atPath: directory.appendingPathComponent(entry).path)) ?? ""
            // ../../<arch>/store/<h2>/<hash>/<file>
            let parts = target.split(separator: "/")
            if parts.count >= 2, parts[parts.count - 2] == hash, parts.last.map(String.init) == entry {
                return Decision(revision: revision, reused: true)
            }
            busy.insert(number)
        }
        var next = 1
        while busy.contains(next) { next += 1 }
        return Decision(revision: String(next), reused: false)
    }
}
