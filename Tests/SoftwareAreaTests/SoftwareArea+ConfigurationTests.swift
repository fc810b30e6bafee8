import Foundation
import SoftwareArea
import Testing
import Transport

@Suite struct AreaConfigurationFileTests {
    typealias Configuration = SoftwareArea.Configuration

    static func parse(_ text: String) throws(SoftwareAreaError) -> Configuration {
        try Configuration(jsonBytes: Array(text.utf8), path: "/a/.alien/config.json")
    }

    @Test func writesCompactSortedJSONAndReadsItBack() throws {
        let configuration = Configuration(
            repository: "https://repo/alien", arch: "slc9_x86-64", mirrors: ["https://m1", "https://m2"],
            peers: ["10.0.0.2:6881"], authorities: CertificateAuthorities(path: "/etc/grid", file: "/etc/ca.pem"),
            allowUnparsedInit: true)
        let text = String(decoding: configuration.jsonBytes, as: UTF8.self)
        #expect(
            text == """
                {"allow_unparsed_init":true,"arch":"slc9_x86-64","ca_file":"/etc/ca.pem","ca_path":"/etc/grid",\
                "mirrors":["https://m1","https://m2"],"peers":["10.0.0.2:6881"],"repository":"https://repo/alien"}

                """)
        #expect(try Self.parse(text) == configuration)
    }

    @Test func leavesOutWhatIsUnset() throws {
        #expect(String(decoding: Configuration().jsonBytes, as: UTF8.self) == "{}\n")
        #expect(try Self.parse("{}") == Configuration())
        // Nulls read as unset; unknown keys are ignored.
        #expect(try Self.parse(#"{"repository":null,"mirrors":null,"future":[1,2]}"#) == Configuration())
    }

    @Test func refusesWrongTypesNamingTheKey() {
        let cases: [(String, String)] = [
            (#"{"repository":1}"#, "repository: expected a string, got integer"),
            (#"{"mirrors":"https://m"}"#, "mirrors: expected an array of strings, got string"),
            (#"{"peers":["a:1",2]}"#, "peers: expected an array of strings, got an element of type integer"),
            (#"{"allow_unparsed_init":"yes"}"#, "allow_unparsed_init: expected true or false, got string"),
            (#"[]"#, "expected a JSON object, got array")
        ]
        for (text, reason) in cases {
            #expect(throws: SoftwareAreaError.badFile(path: "/a/.alien/config.json", reason: reason), "\(text)") { try Self.parse(text) }
        }
    }

    @Test func refusesMalformedAndOversizedFiles() {
        for text in ["", "{", #"{"arch":"a","arch":"b"}"#, "{} x", "\u{0}"] {
            #expect(throws: SoftwareAreaError.self, "\(text)") { try Self.parse(text) }
        }
        let huge = "{\"arch\":\"" + String(repeating: "x", count: Configuration.maximumBytes) + "\"}"
        #expect(throws: SoftwareAreaError.self) { try Self.parse(huge) }
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: SoftwareAreaError.self) { try Self.parse(#"{"mirrors":"# + deep + "}") }
    }

    @Test func readAndWriteAFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alien-config-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(".alien/config.json").path
        #expect(try Configuration.read(from: path) == Configuration())
        let configuration = Configuration(repository: "file:///r", arch: "ubuntu2404_x86-64")
        try configuration.write(to: path)
        #expect(try Configuration.read(from: path) == configuration)
        // SoftwareArea.open reads the same file.
        let area = try SoftwareArea.open(root: directory.path, arch: nil, fetcher: HTTPClient(), mode: .existing)
        #expect(area.configuration == configuration)
        #expect(area.layout.arch == "ubuntu2404_x86-64")
    }

    /// `syslog`: where the CLI sends usage records' syslog copy; kept when `open` rewrites the file.
    @Test func syslogDestinationIsCheckedAndKept() throws {
        #expect(try Self.parse(#"{"syslog":"udp://127.0.0.1:514"}"#).syslog == "udp://127.0.0.1:514")
        #expect(try Self.parse(#"{"syslog":"off"}"#).syslog == "off")
        #expect(String(decoding: Configuration(syslog: "/dev/log").jsonBytes, as: UTF8.self) == #"{"syslog":"/dev/log"}"# + "\n")
        #expect(
            throws: SoftwareAreaError.badFile(
                path: "/a/.alien/config.json",
                reason: "syslog: expected off, a socket path such as /dev/log or udp://HOST:PORT, got 'tcp://x:1'")
        ) {
            try Self.parse(#"{"syslog":"tcp://x:1"}"#)
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alien-config-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(".alien/config.json").path
        try Configuration(arch: "slc9_x86-64", syslog: "udp://127.0.0.1:5514").write(to: path)
        // A new repository makes open write the file again: the syslog key stays.
        _ = try SoftwareArea.open(root: directory.path, arch: nil, repository: "file:///r", fetcher: HTTPClient())
        #expect(try Configuration.read(from: path) == Configuration(repository: "file:///r", arch: "slc9_x86-64", syslog: "udp://127.0.0.1:5514"))
    }

    /// `vo`: the VO whose packages the area holds (packmand writes it); checked, kept, never changed.
    @Test func theAreasVOIsCheckedKeptAndNeverChanged() throws {
        #expect(try Self.parse(#"{"vo":"VO_PANDA"}"#).vo == "VO_PANDA")
        #expect(try Self.parse(#"{"vo":"VO_PANDA"}"#).owner == "VO_PANDA")
        #expect(Configuration().owner == "VO_ALICE")
        #expect(String(decoding: Configuration(vo: "VO_CBM").jsonBytes, as: UTF8.self) == #"{"vo":"VO_CBM"}"# + "\n")
        for text in [#"{"vo":"VO ALICE"}"#, #"{"vo":""}"#, #"{"vo":"a@b"}"#] {
            #expect(throws: SoftwareAreaError.self, "\(text)") { try Self.parse(text) }
        }
        #expect(
            throws: SoftwareAreaError.badFile(
                path: "/a/.alien/config.json", reason: "vo: expected a VO name of letters, digits, '_', '.', '-' (such as VO_ALICE), got 'a/b'")
        ) { try Self.parse(#"{"vo":"a/b"}"#) }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alien-config-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(".alien/config.json").path
        let area = try SoftwareArea.open(root: directory.path, arch: "slc9_x86-64", fetcher: HTTPClient(), vo: "VO_PANDA")
        #expect(area.configuration.vo == "VO_PANDA")
        // Opened again without a VO (the CLI), the area keeps it; the same VO again is fine.
        #expect(try SoftwareArea.open(root: directory.path, arch: nil, repository: "file:///r", fetcher: HTTPClient()).configuration.vo == "VO_PANDA")
        #expect(try Configuration.read(from: path).vo == "VO_PANDA")
        _ = try SoftwareArea.open(root: directory.path, arch: nil, fetcher: HTTPClient(), vo: "VO_PANDA")
        // Another VO's packages never go into it.
        #expect(
            throws: SoftwareAreaError.badFile(path: path, reason: "vo: the area holds VO_PANDA's packages, not VO_CBM's; each VO needs its own area")
        ) { try SoftwareArea.open(root: directory.path, arch: nil, fetcher: HTTPClient(), vo: "VO_CBM") }
        #expect(try Configuration.read(from: path).vo == "VO_PANDA")
    }
}
