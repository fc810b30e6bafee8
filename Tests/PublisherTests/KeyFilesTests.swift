import Foundation
import Publisher
import Testing
import Trust

@Suite struct KeyFilesTests {
    @Test func generateWritesAPrivateAndAPublicFile() throws {
        let directory = try Fixtures.temporaryDirectory("keys").appendingPathComponent("new")
        let generated = try KeyFiles.generate(name: "targets", directory: directory)
        let attributes = try FileManager.default.attributesOfItem(atPath: generated.privateKeyPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let key = try KeyFiles.signingKey(at: generated.privateKeyPath)
        #expect(key.keyID == generated.keyID)
        #expect(try KeyFiles.publicKey(at: generated.publicKeyPath) == key.key)
        #expect(try KeyFiles.publicKey(at: generated.privateKeyPath) == key.key)
        do {
            _ = try KeyFiles.generate(name: "targets", directory: directory)
            Issue.record("a key was overwritten")
        } catch {
            #expect(String(describing: error).contains("targets.key already exists"))
        }
        #expect(try KeyFiles.signingKey(at: generated.privateKeyPath).keyID == generated.keyID)
    }

    @Test func keysDirectoryOffersEveryKeyOnce() throws {
        let directory = try Fixtures.temporaryDirectory("keysdir")
        let a = try KeyFiles.generate(name: "a", directory: directory), b = try KeyFiles.generate(name: "b", directory: directory)
        let keys = try KeyFiles.signingKeys(paths: [a.privateKeyPath], directory: directory.path)
        #expect(keys.map(\.keyID) == [a.keyID, b.keyID])
    }

    @Test(arguments: [
        ("", "JSON byte 0"),
        ("not json", "JSON byte 0"),
        (#"{"keytype":"rsa","scheme":"rsassa-pss-sha256","keyval":{"public":"x","private":"y"}}"#, "expected keytype and scheme 'ed25519'"),
        (#"{"keytype":"ed25519","scheme":"ed25519","keyval":{"public":"00"}}"#, "missing field 'private'"),
        (#"{"keytype":"ed25519","scheme":"ed25519","keyval":{"public":"00","private":"zz"}}"#, "64 hex digits")
    ])
    func malformedKeyFilesNameTheFile(_ text: String, _ expected: String) throws {
        let file = try Fixtures.temporaryDirectory("badkey").appendingPathComponent("bad.key")
        try text.write(to: file, atomically: true, encoding: .utf8)
        do {
            _ = try KeyFiles.signingKey(at: file.path)
            Issue.record("accepted \(text)")
        } catch {
            #expect(String(describing: error).hasPrefix(file.path + ": "))
            #expect(String(describing: error).contains(expected), "\(error)")
        }
    }

    @Test func aPublicKeyThatIsNotTheSeedsIsRefused() throws {
        let directory = try Fixtures.temporaryDirectory("mismatch")
        let generated = try KeyFiles.generate(name: "k", directory: directory)
        let other = SigningKey.generate().key.publicValue!
        var text = try String(contentsOfFile: generated.privateKeyPath, encoding: .utf8)
        let own = try KeyFiles.publicKey(at: generated.publicKeyPath).publicValue!
        text = text.replacingOccurrences(of: own, with: other)
        try text.write(toFile: generated.privateKeyPath, atomically: true, encoding: .utf8)
        #expect(throws: PublisherError.self) { try KeyFiles.signingKey(at: generated.privateKeyPath) }
        #expect(throws: PublisherError.self) { try KeyFiles.signingKey(at: directory.appendingPathComponent("missing.key").path) }
    }
}
