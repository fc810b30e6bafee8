import AlienModel
import Foundation
import Testing

@Suite struct PackageProvenanceTests {
    static func package(_ name: String, _ version: String = "v1.0", source: String? = nil) -> PackageProvenance.Package {
        .init(name: name, version: version, revision: "1", hash: "ab12", tag: version, source: source)
    }

    static let root = PackageProvenance(
        toolVersion: "0.1.0", architecture: "slc9_x86-64", defaults: "release",
        package: package("ROOT", "v6-32-06", source: "https://github.com/root-project/root"),
        directBuild: [package("CMake")], directRuntime: [package("zlib"), package("xz")],
        recursiveBuild: [package("CMake")], recursiveRuntime: [package("zlib"), package("xz")])

    /// What Foundation's `JSONSerialization` writes (the Builder's writer before this type) for
    /// the same record: the new writer must give the same bytes.
    static func foundationText(_ record: PackageProvenance) throws -> String {
        func info(_ package: PackageProvenance.Package) -> [String: Any] {
            [
                "name": package.name, "tag": package.tag ?? "", "source": package.source ?? NSNull(), "version": package.version,
                "revision": package.revision, "hash": package.hash
            ]
        }
        let object: [String: Any] = [
            "alien_install_version": record.toolVersion, "architecture": record.architecture, "defaults": record.defaults,
            "package": info(record.package),
            "dependencies": [
                "direct": ["build": record.directBuild.map(info), "runtime": record.directRuntime.map(info)],
                "recursive": ["build": record.recursiveBuild.map(info), "runtime": record.recursiveRuntime.map(info)]
            ]
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]), as: UTF8.self) + "\n"
    }

    @Test func writesWhatJSONSerializationWrote() throws {
        #expect(Self.root.text == (try Self.foundationText(Self.root)))
        var empty = Self.root
        (empty.directBuild, empty.directRuntime, empty.recursiveBuild, empty.recursiveRuntime) = ([], [], [], [])
        #expect(empty.text == (try Self.foundationText(empty)))
        var odd = Self.root
        odd.package.source = "a/b\"c\\d\ne\tf\u{1}g é ✓"
        odd.defaults = "o2/\u{7f}"
        #expect(odd.text == (try Self.foundationText(odd)))
    }

    @Test func readsWhatItWrites() throws {
        #expect(try PackageProvenance(metaJSON: Array(Self.root.text.utf8)) == Self.root)
        #expect(try PackageProvenance(metaJSON: Array(Self.root.text.utf8)).text == Self.root.text)
        #expect(Self.root.package.build == PackageVersion(version: "v6-32-06", revision: "1"))
    }

    @Test func readsARecordWithOnlyWhatIsRequired() throws {
        let read = try PackageProvenance(metaJSON: Array(#"{"architecture":"a_b","package":{"name":"z","version":"v1","revision":"1"}}"#.utf8))
        #expect(read.package == .init(name: "z", version: "v1", revision: "1"))
        #expect(read.directRuntime.isEmpty && read.recursiveBuild.isEmpty && read.toolVersion.isEmpty)
    }

    @Test(arguments: [
        ("[]", "expected a JSON object, got array"),
        ("{}", "missing field 'package'"),
        (#"{"package":{"name":"z","version":"","revision":"1"}}"#, "package.version: expected a non-empty string, got string"),
        (#"{"package":{"name":"z","version":"v","revision":"1"}}"#, ".architecture: expected a non-empty string, got nothing"),
        (#"{"package":[],"architecture":"a"}"#, "package: expected an object, got array"),
        (
            #"{"package":{"name":"z","version":"v","revision":"1"},"architecture":"a","dependencies":{"direct":{"runtime":{}}}}"#,
            "dependencies.direct.runtime: expected an array, got object"
        ),
        (
            #"{"package":{"name":"z","version":"v","revision":"1"},"architecture":"a","dependencies":{"recursive":{"build":[{"name":"y"}]}}}"#,
            "dependencies.recursive.build[0].version: expected a non-empty string, got nothing"
        )
    ])
    func refusesMalformedRecords(_ text: String, _ reason: String) {
        do {
            _ = try PackageProvenance(metaJSON: Array(text.utf8))
            Issue.record("accepted \(text)")
        } catch { #expect(error.reason == reason) }
    }

    @Test func refusesWhatIsNotJSON() {
        #expect(throws: PackageProvenanceError.self) { try PackageProvenance(metaJSON: Array("{\"a\":".utf8)) }
        #expect(throws: PackageProvenanceError.self) { try PackageProvenance(metaJSON: Array(String(repeating: "[", count: 10_000).utf8)) }
    }
}
