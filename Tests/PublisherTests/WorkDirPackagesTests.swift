import AlienModel
import Foundation
import Publisher
import TestSupport
import Testing
import Trust

@Suite struct WorkDirPackagesTests {
    @Test func publishesAPackageWithItsInstallClosure() throws {
        let workDir = try Fixtures.temporaryDirectory("sw")
        try Fixtures.root.store(in: workDir, arch: Fixtures.arch)
        let packages = try WorkDirPackages(workDir: workDir).tarballs(for: [try PackageID(parsing: "ROOT")])
        #expect(Set(packages.map(\.record.package.name)) == ["ROOT", "zlib", "xz", "CMake"])
        let keys = Fixtures.Keys()
        let (repository, directory) = try Fixtures.repository("workdir", keys: keys)
        let report = try repository.publish(packages, signers: keys.online)
        #expect(report.added.count == 4)
        let targets = try Fixtures.verify(directory)
        for info in targets.targets.values.compactMap({ try? PackageTargetMetadata(custom: $0.custom) }) {
            for path in info.fullRequires ?? [] { #expect(targets.targets[path] != nil, "\(path) missing") }
        }
    }

    @Test func versionSelectors() throws {
        let workDir = try Fixtures.temporaryDirectory("select")
        var second = Fixtures.zlib
        second.revision = "2"
        try Fixtures.zlib.store(in: workDir, arch: Fixtures.arch)
        try second.store(in: workDir, arch: Fixtures.arch)
        let packages = try WorkDirPackages(workDir: workDir, arch: Fixtures.arch)
        #expect(try packages.tarball(for: try PackageID(parsing: "zlib::v1.3.1-1")).lastPathComponent == "zlib-v1.3.1-1.slc9_x86-64.tar.gz")
        #expect(try packages.tarball(for: try PackageID(parsing: "zlib::v1.3.1-2")).lastPathComponent == "zlib-v1.3.1-2.slc9_x86-64.tar.gz")
        do {
            _ = try packages.tarball(for: try PackageID(parsing: "zlib::v2"))
            Issue.record("found a version that is not there")
        } catch {
            #expect(String(describing: error).contains("package zlib::v2 not found in \(workDir.standardizedFileURL.path)/TARS/slc9_x86-64/zlib"))
        }
    }

    @Test func aMissingDependencyTarballIsNamed() throws {
        let workDir = try Fixtures.temporaryDirectory("gap")
        try Fixtures.root.store(in: workDir, arch: Fixtures.arch)
        let xz = workDir.appendingPathComponent("TARS/\(Fixtures.arch)/store/\(Fixtures.xz.hash.prefix(2))/\(Fixtures.xz.hash)")
        try FileManager.default.removeItem(at: xz)
        do {
            _ = try WorkDirPackages(workDir: workDir).tarballs(for: [try PackageID(parsing: "ROOT")])
            Issue.record("ROOT's closure was complete without xz")
        } catch {
            #expect(String(describing: error).contains("xz::v5.4.6-1 (required by slc9_x86-64/ROOT/ROOT-v6-32-06-1.slc9_x86-64.tar.gz)"))
        }
        #expect(throws: PublisherError.self) { try WorkDirPackages(workDir: try Fixtures.temporaryDirectory("empty")) }
    }
}
