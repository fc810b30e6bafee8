import Basics
public import Foundation

/// Why a test CA could not make something.
public struct TestCertificateAuthorityError: Error, CustomStringConvertible {
    public var description: String
}

/// A certificate authority made by a test with `/usr/bin/openssl`, as grid sites keep theirs: the
/// CA certificate in a hashed directory (`openssl rehash`, like /etc/grid-security/certificates),
/// and server certificates it signs — valid, expired, or for another host. Everything lives in a
/// private directory, removed by `remove()`.
public struct TestCertificateAuthority: Sendable {
    public static let openssl = "/usr/bin/openssl"
    public static var available: Bool { FileManager.default.isExecutableFile(atPath: openssl) }

    public let directory: URL
    public let name: String
    /// The hashed directory: `ca.pem` and its `<hash>.0` link, nothing else.
    public var hashedDirectory: URL { directory.appendingPathComponent("certificates") }
    public var certificateFile: URL { hashedDirectory.appendingPathComponent("ca.pem") }

    /// A new CA (EC P-256, valid 10 years from yesterday) named `name`.
    public init(name: String = "alien-test-grid-ca") throws {
        guard Self.available else { throw TestCertificateAuthorityError(description: "\(Self.openssl) is missing (apt-get install openssl)") }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("alien-ca-\(UUID().uuidString)")
        self.name = name
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("certificates"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("issued"), withIntermediateDirectories: true)
        // `openssl ca` (not `x509 -req`) because it takes explicit start and end dates.
        let config = """
            [ ca ]
            default_ca = test_ca
            [ test_ca ]
            dir = \(directory.path)
            database = $dir/index.txt
            new_certs_dir = $dir/issued
            serial = $dir/serial
            default_md = sha256
            policy = anything
            unique_subject = no
            copy_extensions = none
            [ anything ]
            commonName = supplied
            [ ca_extensions ]
            basicConstraints = critical, CA:true
            keyUsage = critical, keyCertSign, cRLSign
            subjectKeyIdentifier = hash

            """
        try config.write(to: directory.appendingPathComponent("ca.cnf"), atomically: true, encoding: .utf8)
        try Data().write(to: directory.appendingPathComponent("index.txt"))
        try "1000\n".write(to: directory.appendingPathComponent("serial"), atomically: true, encoding: .utf8)
        try run(
            """
            openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.csr -subj "/CN=\(name)"
            openssl ca -batch -selfsign -config ca.cnf -keyfile ca.key -in ca.csr -out certificates/ca.pem -notext \
              -extensions ca_extensions -startdate \(Self.stamp(-86_400)) -enddate \(Self.stamp(10 * 365 * 86_400))
            openssl rehash certificates
            """)
    }

    public func remove() { try? FileManager.default.removeItem(at: directory) }

    /// A server certificate and key signed by this CA, for `hosts` (subjectAltName entries such as
    /// `IP:127.0.0.1`, `DNS:localhost`), valid from `start` to `end` seconds from now.
    public func issue(_ commonName: String, hosts: [String], start: Int = -86_400, end: Int = 365 * 86_400) throws -> (certificate: String, key: String) {
        let base = "issued-\(UUID().uuidString.prefix(8))-\(commonName)"
        let extensions = """
            [ server ]
            basicConstraints = critical, CA:false
            keyUsage = critical, digitalSignature, keyEncipherment
            extendedKeyUsage = serverAuth
            subjectAltName = \(hosts.joined(separator: ", "))

            """
        try extensions.write(to: directory.appendingPathComponent("\(base).ext"), atomically: true, encoding: .utf8)
        try run(
            """
            openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout \(base).key -out \(base).csr -subj "/CN=\(commonName)"
            openssl ca -batch -config ca.cnf -cert certificates/ca.pem -keyfile ca.key -in \(base).csr -out \(base).pem -notext \
              -extfile \(base).ext -extensions server -startdate \(Self.stamp(start)) -enddate \(Self.stamp(end))
            """)
        return (directory.appendingPathComponent("\(base).pem").path, directory.appendingPathComponent("\(base).key").path)
    }

    /// `YYYYMMDDHHMMSSZ`, `offset` seconds from now (UTC).
    static func stamp(_ offset: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss'Z'"
        return formatter.string(from: Date().addingTimeInterval(TimeInterval(offset)))
    }

    private func run(_ script: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-ec", script]
        process.currentDirectoryURL = directory
        process.environment = ["PATH": "/usr/bin:/bin"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.start()
        let text = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestCertificateAuthorityError(description: "openssl failed (\(process.terminationStatus)): \(String(decoding: text, as: UTF8.self))")
        }
    }
}
