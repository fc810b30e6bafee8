/// Reading a manifest file the way every writer writes it — canonical JSON (keys sorted, no
/// whitespace but a final newline, no string escape) — in one pass over its bytes, without the
/// general JSON tree: `env` reads a hundred of them on every call. Anything else (another key
/// order, whitespace, an escape, an error of any kind) is left to `init(jsonBytes:file:)`, which
/// accepts more layouts and says exactly what is wrong; for the files this reader accepts both
/// give the same manifest (`EnvironmentManifest+FastJSONTests` checks that on generated and
/// mutated files).
extension EnvironmentManifest {
    /// The manifest of canonical bytes, or nil when `bytes` are not a valid manifest in the
    /// canonical layout (then `init(jsonBytes:file:)` decides).
    public init?(canonicalJSONBytes bytes: [UInt8]) {
        guard bytes.count <= Self.maximumFileSize,
            let manifest = bytes.withUnsafeBufferPointer({ buffer -> EnvironmentManifest? in
                var reader = CanonicalManifestReader(bytes: buffer)
                return reader.manifest()
            })
        else { return nil }
        self = manifest
    }
}

/// The schema-directed reader behind `init(canonicalJSONBytes:)`: each `expect` consumes exact
/// bytes, each field comes in sorted key order, and every failure is nil.
struct CanonicalManifestReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func manifest() -> EnvironmentManifest? {
        guard expect("{\"append_path\":"), let appendPath = paths() else { return nil }
        var architecture: String?
        if expect(",\"arch\":") {
            guard let text = string() else { return nil }
            architecture = text
        }
        guard expect(",\"env\":"),
            let env = list({ reader -> EnvironmentManifest.Assignment? in
                guard reader.expect("{\"name\":"), let name = reader.string(), reader.expect(",\"value\":"),
                    let value = reader.template(), reader.expect("}")
                else { return nil }
                return EnvironmentManifest.Assignment(name: name, value: value)
            })
        else { return nil }
        guard expect(",\"format\":\"alien-environment/1\",\"package\":{\"commit\":"), let commit = string(),
            expect(",\"hash\":"), let hash = string(), expect(",\"name\":"), let name = packageName(),
            expect(",\"revision\":"), let revision = string(), expect(",\"version\":"), let version = string(), expect("}"),
            expect(",\"prepend_path\":"), let prependPath = paths(), expect(",\"requires\":"),
            let requires = list({ reader -> EnvironmentManifest.Dependency? in
                guard reader.expect("{\"name\":"), let name = reader.packageName(), reader.expect(",\"revision\":"),
                    let revision = reader.string(), reader.expect(",\"version\":"), let version = reader.string(),
                    reader.expect("}")
                else { return nil }
                return EnvironmentManifest.Dependency(name: name, version: version, revision: revision)
            })
        else { return nil }
        var withheld: String?
        if expect(",\"withheld\":") {
            guard let text = string() else { return nil }
            withheld = text
        }
        guard expect("}") else { return nil }
        // What the general reader allows after the value: JSON whitespace.
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        guard index == bytes.count else { return nil }
        let manifest = EnvironmentManifest(
            architecture: architecture, package: EnvironmentManifest.Package(name: name, version: version, revision: revision, hash: hash, commit: commit),
            requires: requires, env: env, appendPath: appendPath, prependPath: prependPath, withheld: withheld)
        // The general reader's checks, in full.
        guard (try? manifest.validate()) != nil, manifest.isNormalized else { return nil }
        if withheld != nil, !(requires.isEmpty && env.isEmpty && appendPath.isEmpty && prependPath.isEmpty) { return nil }
        return manifest
    }

    /// Consumes `text` when the bytes continue with it.
    mutating func expect(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        // Eight bytes at a time (the keys are 1 to 60 bytes; a byte loop cost ~150 instructions a key).
        let matches = text.withUTF8Buffer { expected in
            Self.equalBytes(UnsafeRawPointer(expected.baseAddress!), UnsafeRawPointer(bytes.baseAddress! + index), count)
        }
        if matches { index += count }
        return matches
    }

    /// Whether `count` bytes at `a` and `b` are equal.
    static func equalBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
        var offset = 0
        while count - offset >= 8 {
            if a.loadUnaligned(fromByteOffset: offset, as: UInt64.self) != b.loadUnaligned(fromByteOffset: offset, as: UInt64.self) { return false }
            offset += 8
        }
        while offset < count {
            if a.load(fromByteOffset: offset, as: UInt8.self) != b.load(fromByteOffset: offset, as: UInt8.self) { return false }
            offset += 1
        }
        return true
    }

    /// A string without escapes or control characters, valid UTF-8.
    mutating func string() -> String? {
        guard let (content, ascii) = stringContent() else { return nil }
        // ASCII needs no validation (and `String(validating:)` is not specialized here).
        guard let text = ascii ? String(decoding: content, as: UTF8.self) : String(validating: content, as: UTF8.self) else { return nil }
        index += content.count + 2
        return text
    }

    /// The bytes between the quotes of the string at `index` (not consumed), when it has no
    /// escape or control character, and whether they are ASCII.
    func stringContent() -> (UnsafeBufferPointer<UInt8>, ascii: Bool)? {
        guard index < bytes.count, bytes[index] == 0x22 else { return nil }
        var end = index + 1, ascii = true
        let base = UnsafeRawPointer(bytes.baseAddress!)
        while true {
            // Eight plain bytes at a time (no quote, backslash, control or non-ASCII byte).
            while bytes.count - end >= 8, !Self.mayHoldSpecial(base.loadUnaligned(fromByteOffset: end, as: UInt64.self)) { end += 8 }
            guard end < bytes.count else { return nil }
            let byte = bytes[end]
            if byte == 0x22 { break }
            if byte == 0x5C || byte < 0x20 { return nil }
            if byte >= 0x80 { ascii = false }
            end += 1
        }
        return (UnsafeBufferPointer(rebasing: bytes[(index + 1)..<end]), ascii)
    }

    /// False when none of the eight bytes is `"`, `\\`, below 0x20 or above 0x7F (true may be
    /// wrong: the bytes are then looked at one by one).
    static func mayHoldSpecial(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        func hasZero(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & high }
        let quote = hasZero(word ^ (0x22 &* ones)), backslash = hasZero(word ^ (0x5C &* ones))
        let control = (word &- 0x20 &* ones) & ~word & high
        return (quote | backslash | control | (word & high)) != 0
    }

    /// A string holding a template's canonical text, read from the bytes (no String of the
    /// whole text first).
    mutating func template() -> EnvironmentTemplate? {
        guard let (content, ascii) = stringContent(),
            ascii || String(validating: content, as: UTF8.self) != nil,
            let template = EnvironmentTemplate(canonicalUTF8: content)
        else { return nil }
        index += content.count + 2
        return template
    }

    mutating func packageName() -> PackageName? {
        string().flatMap { try? PackageName($0) }
    }

    /// `[item,item,…]`.
    mutating func list<Item>(_ item: (inout CanonicalManifestReader) -> Item?) -> [Item]? {
        guard expect("[") else { return nil }
        if expect("]") { return [] }
        var items: [Item] = []
        // Lists in manifests are short: one allocation for the usual ones.
        items.reserveCapacity(4)
        repeat {
            guard let next = item(&self) else { return nil }
            items.append(next)
        } while expect(",")
        return expect("]") ? items : nil
    }

    /// `[{"items":[…],"name":…},…]` with at least one item each.
    mutating func paths() -> [EnvironmentManifest.PathEntry]? {
        list { reader -> EnvironmentManifest.PathEntry? in
            guard reader.expect("{\"items\":"), let items = reader.list({ $0.template() }), !items.isEmpty,
                reader.expect(",\"name\":"), let name = reader.string(), reader.expect("}")
            else { return nil }
            return EnvironmentManifest.PathEntry(name: name, items: items)
        }
    }
}
