import Testing
import Trust

@Suite struct UpdaterErrorTests {
    @Test func descriptionsNameTheRoleAndWhatWasExpected() {
        let expiry = Expiry(secondsSince1970: 0), now = Expiry(secondsSince1970: 86400)
        let cases: [(UpdaterError, [String])] = [
            (.rollback(role: "timestamp", file: "snapshot.json", trusted: 3, new: 2), ["timestamp", "snapshot.json", "2", "≥ 3", "rollback"]),
            (.expired(role: "snapshot", expires: expiry, referenceTime: now), ["snapshot", "1970-01-01T00:00:00Z", "1970-01-02T00:00:00Z", "freeze"]),
            (.rootVersion(expected: 2, got: 4), ["root", "4", "expected 2"]),
            (.versionMismatch(role: "targets", expected: 5, got: 4), ["targets", "4", "expected 5"]),
            (.lengthMismatch(name: "pkgs/a", expected: 10, got: 4), ["pkgs/a", "4 bytes", "expected 10"]),
            (.fetch(role: "timestamp", .tooLarge(url: "u", limit: 5)), ["timestamp", "u", "5"]),
            (.unsigned(role: "root", .thresholdNotMet(role: "root", validKeyIDs: [], threshold: 2)), ["root", "0 valid", "at least 2"]),
            (.invalidTargetPath(path: "../x", reason: "component '..'"), ["../x", ".."]),
            (.notInitialized(metadataDirectory: "/m"), ["/m/root.json"])
        ]
        for (error, parts) in cases {
            for part in parts { #expect(error.description.contains(part), "\(error.description) lacks \(part)") }
        }
        #expect(FetchError.notFound(url: "u").description == "u: not found")
    }
}
