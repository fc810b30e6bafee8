import Foundation
import PackManAPI
import Testing

@Suite struct WireDecodingTests {
    @Test func decodesKnownFieldsAndRefusesOthers() throws {
        let request = try WireDecoding.decode(InstallRequest.self, from: Data(#"{"packages":["ROOT"],"lease":{"holder":"j","ttl":5}}"#.utf8))
        #expect(request == InstallRequest(packages: ["ROOT"], lease: LeaseSpec(holder: "j", ttl: 5)))
        let sync = try WireDecoding.decode(SynchronizeRequest.self, from: Data(#"{"remove_undefined":false}"#.utf8))
        #expect(sync.removeUndefined == false && sync.packages == nil)
        for (text, message) in [
            (#"{"packages":["A"],"extra":1}"#, "unknown field 'extra'"), ("nope", "malformed JSON"),
            (#"{"packages":[1]}"#, "field 'packages.[0]'"), (#"{"lease":null}"#, "missing field 'packages'")
        ] {
            #expect(throws: WireError.self) { try WireDecoding.decode(InstallRequest.self, from: Data(text.utf8)) }
            do { _ = try WireDecoding.decode(InstallRequest.self, from: Data(text.utf8)) } catch {
                #expect(error.description.contains(message), "\(text): \(error)")
            }
        }
    }
}
