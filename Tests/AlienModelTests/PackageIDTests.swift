import AlienModel
import Testing

@Suite struct PackageIDTests {
    struct Spelling: Sendable, CustomTestStringConvertible {
        var text: String
        var owner: String?
        var name: String
        var version: VersionSelector
        var description: String
        var qualified: String
        var moduleName: String
        var testDescription: String { text }
    }

    static let spellings: [Spelling] = [
        Spelling(
            text: "VO_ALICE@AliRoot::v5-09-59-1", owner: "VO_ALICE", name: "AliRoot", version: .exact("v5-09-59-1"),
            description: "VO_ALICE@AliRoot::v5-09-59-1", qualified: "VO_ALICE@AliRoot::v5-09-59-1",
            moduleName: "AliRoot/v5-09-59-1"),
        Spelling(
            text: "AliRoot::v5-09-59", owner: nil, name: "AliRoot", version: .exact("v5-09-59"),
            description: "AliRoot::v5-09-59", qualified: "VO_ALICE@AliRoot::v5-09-59", moduleName: "AliRoot/v5-09-59"),
        Spelling(
            text: "AliRoot/v5-09-59-1", owner: nil, name: "AliRoot", version: .exact("v5-09-59-1"),
            description: "AliRoot::v5-09-59-1", qualified: "VO_ALICE@AliRoot::v5-09-59-1", moduleName: "AliRoot/v5-09-59-1"),
        Spelling(
            text: "AliRoot", owner: nil, name: "AliRoot", version: .any,
            description: "AliRoot", qualified: "VO_ALICE@AliRoot", moduleName: "AliRoot"),
        Spelling(
            text: "user@AliRoot", owner: "user", name: "AliRoot", version: .any,
            description: "user@AliRoot", qualified: "user@AliRoot", moduleName: "AliRoot"),
        Spelling(
            text: "X::latest", owner: nil, name: "X", version: .latest,
            description: "X::latest", qualified: "VO_ALICE@X::latest", moduleName: "X/latest"),
        Spelling(
            text: "X::LATEST", owner: nil, name: "X", version: .latest,
            description: "X::latest", qualified: "VO_ALICE@X::latest", moduleName: "X/latest"),
        Spelling(
            text: "  O2Physics::nightly-20240131-1  ", owner: nil, name: "O2Physics", version: .exact("nightly-20240131-1"),
            description: "O2Physics::nightly-20240131-1", qualified: "VO_ALICE@O2Physics::nightly-20240131-1",
            moduleName: "O2Physics/nightly-20240131-1"),
        Spelling(
            text: "a.b-c@GCC-Toolchain::v13.2.0-alice1-3", owner: "a.b-c", name: "GCC-Toolchain",
            version: .exact("v13.2.0-alice1-3"), description: "a.b-c@GCC-Toolchain::v13.2.0-alice1-3",
            qualified: "a.b-c@GCC-Toolchain::v13.2.0-alice1-3", moduleName: "GCC-Toolchain/v13.2.0-alice1-3")
    ]

    @Test(arguments: spellings)
    func parsesEverySpelling(_ spelling: Spelling) throws {
        let id = try PackageID(parsing: spelling.text)
        #expect(id.owner == spelling.owner)
        #expect(id.name.rawValue == spelling.name)
        #expect(id.version == spelling.version)
        #expect(id.description == spelling.description)
        #expect(id.qualified() == spelling.qualified)
        #expect(id.moduleName == spelling.moduleName)
    }

    @Test(arguments: spellings)
    func descriptionAndQualifiedRoundTrip(_ spelling: Spelling) throws {
        let id = try PackageID(parsing: spelling.text)
        #expect(try PackageID(parsing: id.description) == id)
        var qualified = id
        if qualified.owner == nil { qualified.owner = PackageID.defaultOwner }
        #expect(try PackageID(parsing: id.qualified()) == qualified)
        // The module spelling loses only the owner.
        var ownerless = id
        ownerless.owner = nil
        #expect(try PackageID(parsing: id.moduleName) == ownerless)
    }

    @Test func qualifiedWithAnotherDefaultOwner() throws {
        #expect(try PackageID(parsing: "ROOT::v6-32-06-1").qualified(defaultOwner: "VO_TEST") == "VO_TEST@ROOT::v6-32-06-1")
        #expect(try PackageID(parsing: "me@ROOT").qualified(defaultOwner: "VO_TEST") == "me@ROOT")
        #expect(PackageID.defaultOwner == "VO_ALICE")
    }

    @Test func memberwiseInitialiser() throws {
        let id = PackageID(name: try PackageName("zlib"))
        #expect(id.owner == nil && id.version == .any)
        #expect(id.description == "zlib")
        #expect(id == (try PackageID(parsing: "zlib")))
    }

    @Test(arguments: [
        // (selector, version, revision, matches)
        (VersionSelector.exact("v5-09-59"), "v5-09-59", "1", true),
        (.exact("v5-09-59-1"), "v5-09-59", "1", true),
        (.exact("v5-09-59-1"), "v5-09-59", "2", false),
        (.exact("v5-09-59-1"), "v5-09-59-1", "3", true),
        (.exact("v5-09"), "v5-09-59", "1", false),
        (.exact("v5-09-59"), "v5-09", "59", true),  // the text is ambiguous, both readings are accepted
        (.exact("v5-09-59"), "v5-09-5", "9", false),
        (.exact("v5-09-59"), "v5-09-591", "1", false),
        (.exact("v1"), "V1", "1", false),
        (.exact("v1-local1"), "v1", "local1", true),
        (.any, "anything", "7", true),
        (.latest, "v1", "1", true),
        (.latest, "", "", true)
    ])
    func matchesVersionAndRevision(_ selector: VersionSelector, _ version: String, _ revision: String, _ expected: Bool) {
        #expect(selector.matches(version: version, revision: revision) == expected)
        #expect(selector.matches(PackageVersion(version: version, revision: revision)) == expected)
    }

    @Test func selectorDescriptions() {
        #expect(VersionSelector.any.description == "")
        #expect(VersionSelector.latest.description == "latest")
        #expect(VersionSelector.exact("v1-2").description == "v1-2")
    }

    @Test(arguments: [
        ("", "it is empty"),
        ("   ", "it is empty"),
        ("@AliRoot", "nothing before '@'"),
        ("VO ALICE@AliRoot", "owner \"VO ALICE\" may hold only"),
        ("VO/ALICE@AliRoot", "owner \"VO/ALICE\" may hold only"),
        ("VO_ALICE@", "the name is empty"),
        ("VO_ALICE@::v1", "the name is empty"),
        ("::v1", "the name is empty"),
        ("/v1", "the name is empty"),
        ("AliRoot::", "the version after the separator is empty"),
        ("AliRoot/", "the version after the separator is empty"),
        ("AliRoot::v1::v2", "character \":\" is not allowed in a version"),
        ("AliRoot::v1:2", "character \":\" is not allowed in a version"),
        ("AliRoot/v1/v2", "character \"/\" is not allowed in a version"),
        ("AliRoot::v1/2", "character \"/\" is not allowed in a version"),
        ("AliRoot::v1 v2", "character \" \" is not allowed in a version"),
        ("AliRoot::v1\tv2", "character \"\t\" is not allowed in a version"),
        ("a@b@c", "character \"@\" is not allowed"),
        ("Ali Root", "character \" \" is not allowed"),
        ("-AliRoot::v1", "a name starts with a letter or a digit"),
        ("AliRoot\n", "character \"\n\" is not allowed")
    ])
    func refusesMalformedIDs(_ text: String, _ reasonFragment: String) {
        #expect {
            try PackageID(parsing: text)
        } throws: { error in
            guard let error = error as? ModelError, case let .invalidPackageID(input, reason) = error else { return false }
            let message = error.description
            return input == text && reason.contains(reasonFragment)
                && message.hasPrefix("invalid package \"\(text)\": ")
                && message.hasSuffix("(expected [OWNER@]Name[::Version[-Revision]] or Name/Version-Revision)")
        }
    }

    @Test func errorMessageEscapesQuotesInTheInput() {
        #expect {
            try PackageID(parsing: #"Ali"Root"#)
        } throws: { error in
            (error as? ModelError)?.description.hasPrefix(#"invalid package "Ali\"Root": "#) == true
        }
    }

    @Test func hashableIdentity() throws {
        let a = try PackageID(parsing: "AliRoot/v1-1")
        let b = try PackageID(parsing: "AliRoot::v1-1")
        let c = try PackageID(parsing: "VO_ALICE@AliRoot::v1-1")
        #expect(a == b)
        #expect(a != c)
        #expect(Set([a, b, c]).count == 2)
    }
}
