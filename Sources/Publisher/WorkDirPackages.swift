public import AlienModel
public import Foundation

/// Finds package tarballs in an aliBuild work directory's TARS store
/// (`TARS/<arch>/<Name>/<Name>-<Version>-<Rev>.<arch>.tar.gz`, links into
/// `TARS/<arch>/store/<h2>/<hash>/`), with their install closure (`fullRequires`).
public struct WorkDirPackages: Sendable {
    public let workDir: URL
    public let arch: String

    /// `arch` nil: the work directory's only architecture under `TARS/`.
    public init(workDir: URL, arch: String? = nil) throws(PublisherError) {
        self.workDir = workDir.standardizedFileURL
        if let arch {
            self.arch = arch
            return
        }
        let tars = self.workDir.appendingPathComponent("TARS").path
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: tars)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        guard names.count == 1 else {
            if names.isEmpty { throw .invalidArgument("\(tars): no architecture directory; expected a work directory written by `alien-install build`") }
            throw .severalArchitectures(tars: tars, names)
        }
        self.arch = names[0]
    }

    /// The tarballs of `ids` and of their install closures (each file once), inspected.
    public func tarballs(for ids: [PackageID]) throws(PublisherError) -> [PackageTarball] {
        var files: [URL] = []
        for id in ids { files.append(try tarball(for: id)) }
        var inspected = try Repository.inspect(files)
        var seen = Set(inspected.map(\.targetPath))
        var pending: [URL] = []
        for package in inspected {
            for dependency in package.record.fullRequires {
                let path = dependency.targetPath(arch: arch, extension: package.fileExtension)
                guard seen.insert(path).inserted else { continue }
                pending.append(try storeFile(dependency, extension: package.fileExtension, requiredBy: package.targetPath))
            }
        }
        inspected += try Repository.inspect(pending)
        return inspected
    }

    /// The tarball `TARS/<arch>/<Name>/` holds for `id`: the one matching its version selector;
    /// with no version (or `::latest`), the most recently built one.
    public func tarball(for id: PackageID) throws(PublisherError) -> URL {
        let directory = workDir.appendingPathComponent("TARS/\(arch)/\(id.name.rawValue)")
        let prefix = "\(id.name.rawValue)-", suffix = ".\(arch).tar"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter {
            $0.hasPrefix(prefix) && $0.contains(suffix)
        }
        var matches: [(url: URL, modified: Date)] = []
        for name in names {
            let versionRevision = name.dropFirst(prefix.count)
            guard let end = versionRevision.range(of: suffix, options: .backwards) else { continue }
            let text = versionRevision[..<end.lowerBound]
            guard let dash = text.lastIndex(of: "-") else { continue }
            let version = String(text[..<dash]), revision = String(text[text.index(after: dash)...])
            guard id.version.matches(version: version, revision: revision) else { continue }
            let url = directory.appendingPathComponent(name)
            let modified = (try? url.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
            matches.append((url, modified))
        }
        guard let newest = matches.max(by: { $0.modified < $1.modified }) else {
            throw .packageNotFound(package: id.description, searched: directory.path)
        }
        return newest.url
    }

    /// A dependency's tarball: `store/<h2>/<hash>/<file>` when the hash is known, else the link.
    func storeFile(_ ref: PackageProvenance.Package, extension ext: String, requiredBy: String) throws(PublisherError) -> URL {
        let name = ref.fileName(arch: arch, extension: ext)
        var candidates: [URL] = []
        if ref.hash.count >= 2 {
            candidates.append(workDir.appendingPathComponent("TARS/\(arch)/store/\(ref.hash.prefix(2))/\(ref.hash)/\(name)"))
        }
        candidates.append(workDir.appendingPathComponent("TARS/\(arch)/\(ref.name)/\(name)"))
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw .packageNotFound(
                package: PackageID.spelling(name: ref.name, build: ref.build) + " (required by \(requiredBy))",
                searched: candidates.map(\.path).joined(separator: " or "))
        }
        return found
    }
}
