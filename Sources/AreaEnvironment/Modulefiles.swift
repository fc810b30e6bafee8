import AlienModel
import Basics
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Modulefiles of a software area at `<area>/<arch>/Modules/modulefiles/<Name>/<Version>-<Rev>`,
/// for Environment Modules and Lmod (`MODULEPATH=<area>/<arch>/Modules/modulefiles`).
///
/// Each file is written to a temporary name in the same folder and renamed into place, so
/// concurrent writers never leave a partial file and a reader sees the old or the new text.
public enum Modulefiles {
    /// Where a modulefile's content comes from.
    public enum Source: Sendable {
        /// Derived from the package's environment manifest (its own changes over those of the
        /// packages it sources; nothing runs): `module load` gives exactly what
        /// `alien-install env` gives. The default.
        case initScript
        /// The package's own `etc/modulefiles/<Name>` (aliBuild's layout) with `$::env(BASEDIR)`
        /// replaced by the area's `<root>/<arch>`; derived from the manifest when the package has none.
        case packageFirst
    }

    /// The modulefile's path for a package.
    public static func path(for package: EnvironmentPackage, in area: EnvironmentArea) -> URL {
        area.modulePath.appendingPathComponent(package.build.name.rawValue).appendingPathComponent(package.build.version.description)
    }

    /// Puts a written file's data on the disk before it is renamed into place (given the open
    /// descriptor). The default is `fdatasync`; the install pipeline passes a writeback wait
    /// without a journal commit per file (`Tarballs.Writeback.wait`).
    public typealias Flush = @Sendable (Int32) -> Void

    /// `fdatasync`, the default `Flush`.
    public static let dataSync: Flush = { _ = fdatasync($0) }

    /// Writes (or rewrites, when its text changed) the modulefile of an installed package.
    /// The install pipeline calls this once a package is visible in the area, with one `batch`
    /// for all the packages of the install.
    @discardableResult
    public static func write(
        for package: EnvironmentPackage, in area: EnvironmentArea, source: Source = .initScript,
        batch: Batch = Batch(), flush: Flush = dataSync
    ) throws(EnvironmentError) -> URL {
        let text = try self.text(for: package, in: area, source: source, batch: batch)
        let destination = path(for: package, in: area)
        try writeAtomically(text, to: destination, flush: flush)
        return destination
    }

    /// Removes a package's modulefile (for `remove`, before the package folder goes); no error
    /// when there is none.
    public static func remove(for package: EnvironmentPackage, in area: EnvironmentArea) throws(EnvironmentError) {
        let file = path(for: package, in: area)
        guard unlink(file.path) == 0 || errno == ENOENT else {
            throw .io(path: file.path, reason: "cannot remove modulefile: \(String(cString: strerror(errno)))")
        }
    }

    /// What `regenerateAll` did.
    public struct Report: Equatable, Sendable {
        public var written: [String] = []
        public var removed: [String] = []
        public var failed: [String: String] = [:]
    }

    /// Writes the modulefile of every installed package and removes modulefiles whose package
    /// is gone. A package whose modulefile cannot be made is reported, the others still written.
    public static func regenerateAll(area: EnvironmentArea, source: Source = .initScript, flush: Flush = dataSync) throws(EnvironmentError) -> Report {
        var report = Report()
        let packages = try area.installed()
        let batch = Batch()
        for package in packages {
            do {
                try write(for: package, in: area, source: source, batch: batch, flush: flush)
                report.written.append(package.moduleName)
            } catch {
                report.failed[package.moduleName] = error.description
            }
        }
        let present = Set(packages.map(\.moduleName))
        for name in POSIXFiles.entries(of: area.modulePath.path) ?? [] where !name.hasPrefix(".") {
            let folder = area.modulePath.appendingPathComponent(name)
            for file in POSIXFiles.entries(of: folder.path) ?? [] where !present.contains("\(name)/\(file)") {
                // Temporary files of a concurrent writer start with "." and are left alone.
                guard !file.hasPrefix(".") else { continue }
                if unlink(folder.appendingPathComponent(file).path) == 0 { report.removed.append("\(name)/\(file)") }
            }
        }
        report.written.sort()
        report.removed.sort()
        return report
    }

    /// The modulefile text for a package.
    public static func text(
        for package: EnvironmentPackage, in area: EnvironmentArea, source: Source = .initScript, batch: Batch = Batch()
    ) throws(EnvironmentError) -> String {
        if source == .packageFirst {
            let own = package.directory.appendingPathComponent("etc/modulefiles/\(package.build.name.rawValue)")
            if let text = try? String(contentsOf: own, encoding: .utf8) { return try rewriteBaseDirectory(text, package: package, area: area) }
        }
        return try batch.withCache { cache throws(EnvironmentError) in try derive(for: package, in: area, cache: cache) }
    }

    /// aliBuild's modulefile with the area's `<root>/<arch>` in place of `$::env(BASEDIR)`, and
    /// `BASE/1.0` (the module alienv writes only to set BASEDIR) dropped from `module load`.
    static func rewriteBaseDirectory(_ text: String, package: EnvironmentPackage, area: EnvironmentArea) throws(EnvironmentError) -> String {
        let base = area.packagesDirectory.path
        guard base.unicodeScalars.allSatisfy({ !" \t\n\"${}[]\\;".unicodeScalars.contains($0) }) else {
            throw .modulefile(package: package.moduleName, reason: "the area path \(base) holds characters Tcl would interpret")
        }
        var lines: [String] = []
        for line in text.components(separatedBy: "\n") {
            var line = line.replacing("$::env(BASEDIR)", with: base).replacing("$env(BASEDIR)", with: base)
            if Trimming.whitespace(line).hasPrefix("module load") {
                line = line.replacing(" BASE/1.0", with: "")
                if Trimming.whitespace(line) == "module load" { continue }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// Writes `text` to `destination` through a unique temporary file in the same folder
    /// (fsync, then rename). Nothing is written when the file already has that text.
    static func writeAtomically(_ text: String, to destination: URL, flush: Flush = dataSync) throws(EnvironmentError) {
        let bytes = Array(text.utf8)
        if let existing = try? Data(contentsOf: destination), existing.elementsEqual(bytes) { return }
        do {
            // Data on the disk before the rename; the folder is not synced (modulefiles are regenerated).
            try withoutActuallyEscaping(flush) { (flush) throws(AtomicFileError) in
                _ = try AtomicFile.write(
                    bytes, to: destination.path, createDirectories: true,
                    flush: { descriptor in
                        flush(descriptor)
                        return 0
                    }, syncDirectory: false)
            }
        } catch {
            switch error.operation {
            case "mkdir": throw .io(path: error.path, reason: "cannot create folder: \(error.reason)")
            case "create": throw .io(path: error.path, reason: "cannot create: \(error.reason)")
            default: throw .io(path: destination.path, reason: "cannot write modulefile: \(error.reason)")
            }
        }
    }
}
