import AlienModel
import SoftwareArea
import Tarballs
import Testing
import Trust

/// The causes an area error carries from other modules keep their type, and read as before:
/// the package (or file) in front, then the cause's own words.
@Suite struct SoftwareAreaErrorTests {
    @Test func typedCausesReadWithThePackageInFront() {
        let extraction = TarballError.refused(entry: "zlib/../x", rule: .parentComponent)
        #expect(
            SoftwareAreaError.extraction(package: "zlib/v1-1", extraction).description
                == "zlib/v1-1: extraction refused: \(extraction)")
        let relocation = RelocationError.refusedEntry(list: ".original-unrelocated", line: 2, entry: "/etc/passwd", reason: "absolute path")
        #expect(
            SoftwareAreaError.relocation(package: "zlib/v1-1", relocation).description
                == "zlib/v1-1: .original-unrelocated:2: entry \"/etc/passwd\" refused: absolute path")
        let root = UpdaterError.malformed(role: "root", .missingField(context: "root", field: "signed"))
        #expect(SoftwareAreaError.badRoot(path: "/r/1.root.json", root).description == "/r/1.root.json: \(root)")
        let manifest = EnvironmentManifestError.initScript(file: "init.sh", line: 3, reason: "command substitution is not allowed")
        #expect(
            SoftwareAreaError.environment(package: "zlib/v1-1", manifest).description
                .hasPrefix("zlib/v1-1: refused: its environment cannot be read without running it: init.sh:3: command substitution "))
    }

    /// The area's own refusals still read as plain words, and match by value.
    @Test func theAreasOwnTrustRefusalsAreWords() {
        let error = SoftwareAreaError.trust(package: "zlib", reason: "no source delivered it")
        #expect(error == .trust(package: "zlib", .refused("no source delivered it")))
        #expect(error.description == "zlib: no source delivered it")
    }
}
