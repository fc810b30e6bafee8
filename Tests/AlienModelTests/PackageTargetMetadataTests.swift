import AlienModel
import Testing

@Suite struct PackageTargetMetadataTests {
    static let root = PackageTargetMetadata(
        name: "ROOT", version: "v6-32-06", revision: "1", arch: "slc9_x86-64", hash: "0123abcd",
        requires: ["slc9_x86-64/zlib/zlib-v1.3.1-1.slc9_x86-64.tar.gz"],
        fullRequires: ["slc9_x86-64/zlib/zlib-v1.3.1-1.slc9_x86-64.tar.gz"], buildRequires: [])

    /// The bytes signed in targets.json: the publisher's object, unchanged.
    @Test func writesTheSignedObject() {
        #expect(
            String(decoding: Self.root.json.canonicalBytes, as: UTF8.self) == #"{"arch":"slc9_x86-64","build_requires":[],"full_requires":"#
                + #"["slc9_x86-64/zlib/zlib-v1.3.1-1.slc9_x86-64.tar.gz"],"hash":"0123abcd","name":"ROOT","requires":"#
                + #"["slc9_x86-64/zlib/zlib-v1.3.1-1.slc9_x86-64.tar.gz"],"revision":"1","version":"v6-32-06"}"#)
        #expect(Self.root.build == PackageVersion(version: "v6-32-06", revision: "1"))
    }

    @Test func readsWhatItWrites() throws {
        #expect(try PackageTargetMetadata(custom: Self.root.json) == Self.root)
        var extended = Self.root
        extended.unpackedSize = 1 << 33
        extended.pieces = "slc9_x86-64/ROOT/ROOT.tar.gz.pieces"
        extended.torrent = "slc9_x86-64/ROOT/ROOT.tar.gz.torrent"
        extended.infoHash = "ABCDEF"
        extended.hash = nil
        extended.fullRequires = nil
        extended.buildRequires = nil
        let read = try PackageTargetMetadata(custom: extended.json)
        #expect(read == extended)
        #expect(read.runtimeClosure == extended.requires)
        #expect(try PackageTargetMetadata(custom: JSONValue(parsing: String(decoding: extended.json.canonicalBytes, as: UTF8.self))) == extended)
    }

    /// An install record keeps the object as signed and asks only for the closure.
    @Test func runtimeClosureOfAnyObject() {
        #expect(PackageTargetMetadata.runtimeClosure(in: Self.root.json) == Self.root.fullRequires)
        #expect(PackageTargetMetadata.runtimeClosure(in: .object(["full_requires": .array([.string("a/b/c.tar.gz")])])) == ["a/b/c.tar.gz"])
        #expect(PackageTargetMetadata.runtimeClosure(in: .object(["requires": .array([.string("r"), .integer(1)])])) == ["r"])
        #expect(PackageTargetMetadata.runtimeClosure(in: .string("x")).isEmpty)
        #expect(PackageTargetMetadata.runtimeClosure(in: nil).isEmpty)
    }

    @Test func lenientWhereItAlwaysWas() throws {
        var fields = Self.root.fields
        fields["requires"] = .array([.string("a"), .integer(3), .null])
        fields["unpacked_size"] = .integer(-1)
        fields["extra"] = .bool(true)
        let read = try PackageTargetMetadata(custom: .object(fields))
        #expect(read.requires == ["a"])
        #expect(read.unpackedSize == nil)
    }

    @Test(
        arguments: [
            (nil, "custom.name: expected a non-empty string, got no custom object"),
            (JSONValue.array([]), "custom.name: expected a non-empty string, got custom as array"),
            (.object(["version": .string("v1")]), "custom.name: expected a non-empty string, got nothing"),
            (.object(["name": .string(""), "version": .string("v1")]), "custom.name: expected a non-empty string, got string"),
            (.object(["name": .string("x"), "version": .integer(1)]), "custom.version: expected a non-empty string, got integer")
        ] as [(JSONValue?, String)])
    func refusesWhatIsNoPackage(_ custom: JSONValue?, _ message: String) {
        #expect(throws: PackageTargetMetadataError.self) { try PackageTargetMetadata(custom: custom) }
        do { _ = try PackageTargetMetadata(custom: custom) } catch { #expect(error.description == message) }
    }

    @Test func refusesPathTricksAndBadExtensionFields() {
        for (field, value, message) in [
            ("version", JSONValue.string(".."), "custom.name/version/revision/arch: expected a path component, got .."),
            ("arch", .string("a/b"), "custom.name/version/revision/arch: expected a path component, got a/b"),
            ("hash", .string(""), "custom.hash: expected a non-empty string, got string"),
            ("pieces", .integer(1), "custom.pieces: expected a target path, got integer"),
            ("torrent", .string(""), "custom.torrent: expected a target path, got string"),
            ("infohash", .array([]), "custom.infohash: expected a hex info-hash, got array")
        ] {
            var fields = Self.root.fields
            fields[field] = value
            do {
                _ = try PackageTargetMetadata(custom: .object(fields))
                Issue.record("\(field) accepted")
            } catch { #expect(error.description == message) }
        }
    }
}
