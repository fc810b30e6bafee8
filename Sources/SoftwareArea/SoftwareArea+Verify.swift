public import AlienModel
import Foundation
import Tarballs

extension SoftwareArea {
    /// One installed package checked against its install record.
    public struct VerifyResult: Sendable, Hashable {
        public var package: PackageBuild
        public var path: String
        /// Empty when every file matches: "bin/x: sha256 expected …, got …", "lib/y: missing", ...
        public var problems: [String]
        public var ok: Bool { problems.isEmpty }
    }

    /// Re-hashes the files of the installed packages `request` names (all when nil).
    public func verify(_ request: PackageID? = nil) throws(SoftwareAreaError) -> [VerifyResult] {
        let packages = request.map { installed(matching: $0) } ?? installed()
        if let request, packages.isEmpty { throw .notInstalled(request.description) }
        return packages.map { verify($0) }
    }

    func verify(_ package: Installed) -> VerifyResult {
        var problems: [String] = []
        var listed = Set<String>()
        for entry in package.record.files {
            listed.insert(entry.path)
            let path = "\(package.path)/\(entry.path)"
            if let link = entry.link {
                let actual = try? FileManager.default.destinationOfSymbolicLink(atPath: path)
                if actual != link { problems.append("\(entry.path): symlink expected → \(link), got \(actual.map { "→ \($0)" } ?? "none")") }
                continue
            }
            var info = stat()
            guard lstat(path, &info) == 0 else {
                problems.append("\(entry.path): missing")
                continue
            }
            guard (info.st_mode & S_IFMT) == S_IFREG, let (size, hash) = FileDigest.sha256(path: path) else {
                problems.append("\(entry.path): expected a regular file")
                continue
            }
            if size != entry.size {
                problems.append("\(entry.path): size expected \(entry.size), got \(size)")
            } else if hash.hex != entry.sha256 {
                problems.append("\(entry.path): sha256 expected \(entry.sha256 ?? "-"), got \(hash.hex)")
            }
            let mode = UInt32(info.st_mode & 0o7777)
            if let expected = entry.mode, mode != expected {
                problems.append("\(entry.path): mode expected \(String(expected, radix: 8)), got \(String(mode, radix: 8))")
            } else if entry.mode == nil, mode & 0o022 != 0 {
                problems.append("\(entry.path): writable by group or others (mode \(String(mode, radix: 8)))")
            }
        }
        var rootInfo = stat()
        if lstat(package.path, &rootInfo) == 0, rootInfo.st_mode & 0o022 != 0 {
            problems.append(".: directory writable by group or others (mode \(String(UInt32(rootInfo.st_mode & 0o7777), radix: 8)))")
        }
        if let walker = FileManager.default.enumerator(atPath: package.path) {
            while let name = walker.nextObject() as? String {
                guard name != InstallRecord.fileName else { continue }
                var info = stat()
                guard lstat("\(package.path)/\(name)", &info) == 0 else { continue }
                if (info.st_mode & S_IFMT) == S_IFDIR {
                    // Anyone who can write a directory can swap the files in it.
                    if info.st_mode & 0o022 != 0 {
                        problems.append("\(name): directory writable by group or others (mode \(String(UInt32(info.st_mode & 0o7777), radix: 8)))")
                    }
                } else if !listed.contains(name) {
                    problems.append("\(name): not in the install record")
                }
            }
        }
        return VerifyResult(package: package.key, path: package.path, problems: problems)
    }

    /// Installs the packages of failed results again, atomically replacing them.
    public func repair(_ results: [VerifyResult]) async throws(SoftwareAreaError) -> [InstallOutcome] {
        let requests = results.filter { !$0.ok }.map(\.package.id)
        guard !requests.isEmpty else { return [] }
        return try await install(requests, options: InstallOptions(noDependencies: true, replace: true))
    }
}
