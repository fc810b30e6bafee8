import AlienModel
public import Foundation
public import Trust

/// Key files as release managers keep them: `NAME.key` holds the private key (`SigningKey`'s
/// format, mode 0600) and `NAME.pub` the public key as metadata writes it.
public enum KeyFiles {
    public struct Generated: Sendable {
        public var keyID: String
        public var privateKeyPath: String
        public var publicKeyPath: String
    }

    /// Writes a new Ed25519 key pair `directory/NAME.key` (0600) and `directory/NAME.pub`;
    /// refuses to overwrite either file.
    public static func generate(name: String, directory: URL) throws(PublisherError) -> Generated {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw .invalidArgument("key name '\(name)': expected a file name without '/'")
        }
        let key = SigningKey.generate()
        let privatePath = directory.appendingPathComponent("\(name).key").path
        let publicPath = directory.appendingPathComponent("\(name).pub").path
        for path in [privatePath, publicPath] where FileManager.default.fileExists(atPath: path) {
            throw .keyFileExists(path: path)
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .keyFile(path: directory.path, reason: "cannot create the directory: \(error.localizedDescription)")
        }
        try writeExclusive(path: privatePath, bytes: key.serialized() + [0x0A], mode: 0o600)
        do {
            try writeExclusive(path: publicPath, bytes: key.key.json.compactJSONBytes + [0x0A], mode: 0o644)
        } catch {
            unlink(privatePath)
            throw error
        }
        return Generated(keyID: key.keyID, privateKeyPath: privatePath, publicKeyPath: publicPath)
    }

    /// Reads a private key file.
    public static func signingKey(at path: String) throws(PublisherError) -> SigningKey {
        let bytes = try read(path)
        do {
            return try SigningKey(serialized: bytes)
        } catch {
            throw .invalidKey(path: path, expected: "an Ed25519 private key file as `keys generate` writes it", error)
        }
    }

    /// Private keys from explicit paths plus every `*.key` file in `directory`, without duplicates.
    public static func signingKeys(paths: [String], directory: String? = nil) throws(PublisherError) -> [SigningKey] {
        var all = paths
        if let directory {
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
                throw .keyFile(path: directory, reason: "cannot list the keys directory: \(error.localizedDescription)")
            }
            all += names.filter { $0.hasSuffix(".key") }.sorted().map { directory + "/" + $0 }
        }
        var seen = Set<String>(), keys: [SigningKey] = []
        for path in all {
            let key = try signingKey(at: path)
            if seen.insert(key.keyID).inserted { keys.append(key) }
        }
        return keys
    }

    /// The public key in a `.pub` file (or the public half of a `.key` file).
    public static func publicKey(at path: String) throws(PublisherError) -> Key {
        if path.hasSuffix(".key") { return try signingKey(at: path).key }
        let bytes = try read(path)
        do {
            return try Key(json: try JSONValue(parsing: bytes))
        } catch {
            throw .keyFile(path: path, reason: "expected a public key object {\"keytype\",\"scheme\",\"keyval\"}: \(error)")
        }
    }

    private static func read(_ path: String) throws(PublisherError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .keyFile(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
        }
        return [UInt8](data)
    }

    private static func writeExclusive(path: String, bytes: [UInt8], mode: mode_t) throws(PublisherError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw errno == EEXIST ? .keyFileExists(path: path) : .keyFile(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        fchmod(fd, mode)  // regardless of the umask
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw .keyFile(path: path, reason: "write failed: \(reason)")
        }
    }
}
