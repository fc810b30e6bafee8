import AlienModel
import Testing

@Suite struct PackageRevocationTests {
    static let sha = String(repeating: "ab", count: 32)
    static let revocation = PackageRevocation(
        name: "ROOT", version: "v6-32-06", revision: "1", arch: "slc9_x86-64",
        target: "slc9_x86-64/ROOT/ROOT-v6-32-06-1.slc9_x86-64.tar.gz", sha256: sha,
        reason: "miscompiled: wrong results in TMath", time: "2026-12-06T01:00:00Z")

    @Test func writesTheSignedObjectAndReadsItBack() throws {
        let text = String(decoding: Self.revocation.documentBytes, as: UTF8.self)
        #expect(
            text == #"{"arch":"slc9_x86-64","kind":"revocation","name":"ROOT","reason":"miscompiled: wrong results in TMath","#
                + #""revision":"1","revokes":"slc9_x86-64/ROOT/ROOT-v6-32-06-1.slc9_x86-64.tar.gz","sha256":"\#(Self.sha)","#
                + #""time":"2026-12-06T01:00:00Z","version":"v6-32-06"}"# + "\n")
        #expect(try PackageRevocation(custom: Self.revocation.json) == Self.revocation)
        #expect(Self.revocation.targetPath == "revocations/slc9_x86-64/ROOT/v6-32-06-1.json")
        #expect(Self.revocation.folder == "ROOT/v6-32-06-1" && Self.revocation.spelling == "ROOT::v6-32-06-1")
        var noHash = Self.revocation
        noHash.sha256 = nil
        #expect(try PackageRevocation(custom: noHash.json) == noHash)
        #expect(PackageRevocation.isRevocation(Self.revocation.json))
    }

    /// A revocation is never read as a package (it names one), and a package never as a revocation.
    @Test func packagesAndRevocationsAreTold() throws {
        #expect(throws: PackageTargetMetadataError.self) { try PackageTargetMetadata(custom: Self.revocation.json) }
        let package = PackageTargetMetadata(name: "ROOT", version: "v6-32-06", revision: "1", arch: "slc9_x86-64", hash: "00")
        #expect(!PackageRevocation.isRevocation(package.json))
        #expect(throws: PackageTargetMetadataError.self) { try PackageRevocation(custom: package.json) }
    }

    @Test(arguments: [
        ("kind", JSONValue.string("package"), "custom.kind"),
        ("name", .string(""), "custom.name"),
        ("version", .integer(6), "custom.version"),
        ("revision", .string("../1"), "a path component"),
        ("arch", .string(".."), "a path component"),
        ("revokes", .null, "custom.revokes"),
        ("reason", .string("two\nlines"), "without control characters"),
        ("reason", .string(String(repeating: "x", count: 2001)), "at most 2000 bytes"),
        ("time", .string("2026-12-06 01:00:00"), "YYYY-MM-DDTHH:MM:SSZ"),
        ("time", .string("yesterday"), "YYYY-MM-DDTHH:MM:SSZ"),
        ("sha256", .string("ABCD"), "64 lower-case hex digits"),
        ("sha256", .string(String(repeating: "A", count: 64)), "64 lower-case hex digits")
    ])
    func malformedFieldsAreRefused(key: String, value: JSONValue, message: String) {
        guard case var .object(fields) = Self.revocation.json else { Issue.record("not an object"); return }
        fields[key] = value
        do {
            _ = try PackageRevocation(custom: .object(fields))
            Issue.record("\(key) = \(value) was accepted")
        } catch {
            #expect(error.description.contains(message), "\(error)")
        }
    }

    @Test func missingFieldsAndNonObjectsAreRefused() {
        for key in ["kind", "name", "version", "revision", "arch", "revokes", "reason", "time"] {
            guard case var .object(fields) = Self.revocation.json else { return }
            fields[key] = nil
            #expect(throws: PackageTargetMetadataError.self, "\(key)") { try PackageRevocation(custom: .object(fields)) }
        }
        #expect(throws: PackageTargetMetadataError.self) { try PackageRevocation(custom: nil) }
        #expect(throws: PackageTargetMetadataError.self) { try PackageRevocation(custom: .array([])) }
    }
}
