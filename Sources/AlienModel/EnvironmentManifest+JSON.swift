/// The manifest's file: canonical JSON (keys sorted, no insignificant whitespace, UTF-8),
/// one writer (`jsonBytes`) and one reader (`init(jsonBytes:file:)`):
///
/// ```
/// {"append_path":[{"items":["$FASTJET_ROOT/include"],"name":"ROOT_INCLUDE_PATH"}],
///  "arch":"slc9_x86-64",
///  "env":[{"name":"FASTJET","value":"$FASTJET_ROOT"}],
///  "format":"alien-environment/1",
///  "package":{"commit":"…","hash":"…","name":"fastjet","revision":"1","version":"v3.4.1"},
///  "prepend_path":[{"items":["$FASTJET_ROOT/bin"],"name":"PATH"},{"items":["$FASTJET_ROOT/lib"],"name":"LD_LIBRARY_PATH"}],
///  "requires":[{"name":"ROOT","revision":"1","version":"v6-32-06"}]}
/// ```
///
/// `arch` is left out when init.sh has no `ALIBUILD_ARCH_PREFIX` line; `withheld` (a string)
/// appears only for a package installed without an environment. The reader refuses unknown
/// or missing fields, duplicate keys, other formats, templates outside the grammar or not in
/// canonical text, and anything not in normal form: the bytes of equal manifests are equal.
extension EnvironmentManifest {
    /// Largest manifest file accepted.
    public static let maximumFileSize = 4 * 1024 * 1024

    public var jsonBytes: [UInt8] {
        var object: [String: ManifestJSON] = [
            "format": .string(Self.format),
            "package": .object([
                "name": .string(package.name.rawValue), "version": .string(package.version), "revision": .string(package.revision),
                "hash": .string(package.hash), "commit": .string(package.commit)
            ]),
            "requires": .array(
                requires.map {
                    .object(["name": .string($0.name.rawValue), "version": .string($0.version), "revision": .string($0.revision)])
                }),
            "env": .array(env.map { .object(["name": .string($0.name), "value": .string($0.value.description)]) }),
            "append_path": .array(appendPath.map(Self.pathJSON)),
            "prepend_path": .array(prependPath.map(Self.pathJSON))
        ]
        if let architecture { object["arch"] = .string(architecture) }
        if let withheld { object["withheld"] = .string(withheld) }
        var out: [UInt8] = []
        ManifestJSON.object(object).write(to: &out)
        return out
    }

    static func pathJSON(_ entry: PathEntry) -> ManifestJSON {
        .object(["name": .string(entry.name), "items": .array(entry.items.map { .string($0.description) })])
    }

    /// Reads a manifest file's bytes; `file` names it in errors.
    public init(jsonBytes bytes: [UInt8], file: String) throws(EnvironmentManifestError) {
        // The layout every writer produces, read fast; anything else by the general reader,
        // which says what is wrong.
        if let manifest = EnvironmentManifest(canonicalJSONBytes: bytes) {
            self = manifest
        } else {
            try self.init(anyLayoutJSONBytes: bytes, file: file)
        }
    }

    /// The general reader: any JSON layout (whitespace, key order), every error explained.
    init(anyLayoutJSONBytes bytes: [UInt8], file: String) throws(EnvironmentManifestError) {
        func fail(_ reason: String) -> EnvironmentManifestError { .manifest(file: file, reason: reason) }
        guard bytes.count <= Self.maximumFileSize else { throw fail("larger than \(Self.maximumFileSize) bytes") }
        let root: ManifestJSON
        do { root = try ManifestJSON.parse(bytes) } catch { throw fail(error.description) }
        let object = try Self.fields(
            root, ["format", "package", "requires", "env", "append_path", "prepend_path"],
            optional: ["arch", "withheld"], at: "the manifest", file: file)
        guard case .string(Self.format)? = object["format"] else { throw fail("format: expected \"\(Self.format)\"") }
        let packageObject = try Self.fields(object["package"]!, ["name", "version", "revision", "hash", "commit"], at: "package", file: file)
        let nameText = try Self.string(packageObject["name"]!, at: "package.name", file: file)
        let name: PackageName
        do { name = try PackageName(nameText) } catch { throw fail("package.name: \(error)") }
        let package = Package(
            name: name, version: try Self.string(packageObject["version"]!, at: "package.version", file: file),
            revision: try Self.string(packageObject["revision"]!, at: "package.revision", file: file),
            hash: try Self.string(packageObject["hash"]!, at: "package.hash", file: file),
            commit: try Self.string(packageObject["commit"]!, at: "package.commit", file: file))
        var requires: [Dependency] = []
        for (index, item) in try Self.array(object["requires"]!, at: "requires", file: file).enumerated() {
            let where_ = "requires[\(index)]"
            let fields = try Self.fields(item, ["name", "version", "revision"], at: where_, file: file)
            let text = try Self.string(fields["name"]!, at: where_ + ".name", file: file)
            guard let dependencyName = try? PackageName(text) else { throw fail("\(where_).name: not a package name: \(text)") }
            requires.append(
                Dependency(
                    name: dependencyName, version: try Self.string(fields["version"]!, at: where_ + ".version", file: file),
                    revision: try Self.string(fields["revision"]!, at: where_ + ".revision", file: file)))
        }
        var env: [Assignment] = []
        for (index, item) in try Self.array(object["env"]!, at: "env", file: file).enumerated() {
            let fields = try Self.fields(item, ["name", "value"], at: "env[\(index)]", file: file)
            env.append(
                Assignment(
                    name: try Self.string(fields["name"]!, at: "env[\(index)].name", file: file),
                    value: try Self.template(fields["value"]!, at: "env[\(index)].value", file: file)))
        }
        let architecture = try object["arch"].map { value throws(EnvironmentManifestError) in try Self.string(value, at: "arch", file: file) }
        let withheld = try object["withheld"].map { value throws(EnvironmentManifestError) in try Self.string(value, at: "withheld", file: file) }
        self.init(
            architecture: architecture, package: package, requires: requires, env: env,
            appendPath: try Self.paths(object["append_path"]!, at: "append_path", file: file),
            prependPath: try Self.paths(object["prepend_path"]!, at: "prepend_path", file: file), withheld: withheld)
        do { try validate() } catch { throw fail(error.description) }
        guard isNormalized else { throw fail("not in normal form (list items hold a ':' or env ends in appends)") }
        if withheld != nil, !(requires.isEmpty && env.isEmpty && appendPath.isEmpty && prependPath.isEmpty) {
            throw fail("a withheld environment has no entries")
        }
    }

    static func paths(_ value: ManifestJSON, at path: String, file: String) throws(EnvironmentManifestError) -> [PathEntry] {
        var result: [PathEntry] = []
        for (index, item) in try array(value, at: path, file: file).enumerated() {
            let where_ = "\(path)[\(index)]"
            let fields = try self.fields(item, ["name", "items"], at: where_, file: file)
            var items: [EnvironmentTemplate] = []
            for (offset, element) in try array(fields["items"]!, at: where_ + ".items", file: file).enumerated() {
                items.append(try template(element, at: "\(where_).items[\(offset)]", file: file))
            }
            guard !items.isEmpty else { throw .manifest(file: file, reason: "\(where_).items: expected at least one item") }
            result.append(PathEntry(name: try string(fields["name"]!, at: where_ + ".name", file: file), items: items))
        }
        return result
    }

    static func fields(
        _ value: ManifestJSON, _ required: [String], optional: [String] = [], at path: String,
        file: String
    ) throws(EnvironmentManifestError) -> [String: ManifestJSON] {
        guard case let .object(object) = value else { throw .manifest(file: file, reason: "\(path): expected an object") }
        for key in required where object[key] == nil { throw .manifest(file: file, reason: "\(path): missing \"\(key)\"") }
        if object.count > required.count, let unknown = object.keys.filter({ !required.contains($0) && !optional.contains($0) }).min() {
            throw .manifest(file: file, reason: "\(path): unknown field \"\(unknown)\"")
        }
        return object
    }

    static func array(_ value: ManifestJSON, at path: String, file: String) throws(EnvironmentManifestError) -> [ManifestJSON] {
        guard case let .array(items) = value else { throw .manifest(file: file, reason: "\(path): expected an array") }
        return items
    }

    static func string(_ value: ManifestJSON, at path: String, file: String) throws(EnvironmentManifestError) -> String {
        guard case let .string(text) = value else { throw .manifest(file: file, reason: "\(path): expected a string") }
        return text
    }

    static func template(_ value: ManifestJSON, at path: String, file: String) throws(EnvironmentManifestError) -> EnvironmentTemplate {
        let text = try string(value, at: path, file: file)
        if let template = EnvironmentTemplate(canonical: text) { return template }
        let template: EnvironmentTemplate
        do { template = try EnvironmentTemplate(shellDoubleQuoted: text) } catch {
            throw .manifest(file: file, reason: "\(path): \(error)")
        }
        guard template.description == text else {
            throw .manifest(file: file, reason: "\(path): not in canonical form (expected \(template.description))")
        }
        return template
    }
}

/// The JSON the manifest needs: objects, arrays, strings (no numbers, booleans or null).
/// Canonical output: keys sorted by UTF-16 code units as securesystemslib sorts them (equal
/// to byte order for the ASCII keys used here), only `"` and `\` and control characters
/// escaped.
enum ManifestJSON: Equatable, Sendable {
    case string(String)
    case array([ManifestJSON])
    case object([String: ManifestJSON])

    func write(to out: inout [UInt8]) {
        switch self {
        case let .string(text):
            out.append(0x22)
            for byte in text.utf8 {
                switch byte {
                case 0x22: out += [0x5C, 0x22]
                case 0x5C: out += [0x5C, 0x5C]
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
                default: out.append(byte)
                }
            }
            out.append(0x22)
        case let .array(items):
            out.append(0x5B)
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(0x2C) }
                item.write(to: &out)
            }
            out.append(0x5D)
        case let .object(object):
            out.append(0x7B)
            for (index, key) in object.keys.sorted().enumerated() {
                if index > 0 { out.append(0x2C) }
                ManifestJSON.string(key).write(to: &out)
                out.append(0x3A)
                object[key]!.write(to: &out)
            }
            out.append(0x7D)
        }
    }

    struct ParseError: Error, CustomStringConvertible {
        var offset: Int
        var reason: String
        var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    static let maximumDepth = 8

    /// Strict RFC 8259 for the subset: whitespace allowed between tokens, duplicate keys and
    /// anything after the value refused, nesting at most `maximumDepth`; linear time.
    static func parse(_ bytes: [UInt8]) throws(ParseError) -> ManifestJSON {
        var parser = Parser(bytes: bytes)
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw ParseError(offset: parser.index, reason: "trailing data") }
        return value
    }

    struct Parser {
        let bytes: [UInt8]
        var index = 0

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func value(depth: Int) throws(ParseError) -> ManifestJSON {
            guard depth < ManifestJSON.maximumDepth else { throw ParseError(offset: index, reason: "nested too deeply") }
            skipWhitespace()
            guard index < bytes.count else { throw ParseError(offset: index, reason: "unexpected end") }
            switch bytes[index] {
            case 0x22: return .string(try string())
            case 0x5B:
                index += 1
                var items: [ManifestJSON] = []
                skipWhitespace()
                if index < bytes.count, bytes[index] == 0x5D { index += 1; return .array(items) }
                while true {
                    items.append(try value(depth: depth + 1))
                    skipWhitespace()
                    guard index < bytes.count else { throw ParseError(offset: index, reason: "unterminated array") }
                    if bytes[index] == 0x2C { index += 1; continue }
                    if bytes[index] == 0x5D { index += 1; return .array(items) }
                    throw ParseError(offset: index, reason: "expected ',' or ']'")
                }
            case 0x7B:
                index += 1
                var object: [String: ManifestJSON] = [:]
                skipWhitespace()
                if index < bytes.count, bytes[index] == 0x7D { index += 1; return .object(object) }
                while true {
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == 0x22 else { throw ParseError(offset: index, reason: "expected a key") }
                    let keyOffset = index
                    let key = try string()
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == 0x3A else { throw ParseError(offset: index, reason: "expected ':'") }
                    index += 1
                    let item = try value(depth: depth + 1)
                    guard object.updateValue(item, forKey: key) == nil else {
                        throw ParseError(offset: keyOffset, reason: "duplicate key \"\(key)\"")
                    }
                    skipWhitespace()
                    guard index < bytes.count else { throw ParseError(offset: index, reason: "unterminated object") }
                    if bytes[index] == 0x2C { index += 1; continue }
                    if bytes[index] == 0x7D { index += 1; return .object(object) }
                    throw ParseError(offset: index, reason: "expected ',' or '}'")
                }
            default:
                throw ParseError(offset: index, reason: "expected a string, an array or an object")
            }
        }

        mutating func string() throws(ParseError) -> String {
            let start = index
            // Most strings hold no escape: one scan and one validation.
            var end = index + 1
            while end < bytes.count, bytes[end] != 0x22, bytes[end] != 0x5C, bytes[end] >= 0x20 { end += 1 }
            if end < bytes.count, bytes[end] == 0x22 {
                guard let text = String(validating: bytes[(start + 1)..<end], as: UTF8.self) else {
                    throw ParseError(offset: start, reason: "a string is not valid UTF-8")
                }
                index = end + 1
                return text
            }
            index += 1
            var out: [UInt8] = []
            while true {
                guard index < bytes.count else { throw ParseError(offset: start, reason: "unterminated string") }
                let byte = bytes[index]
                switch byte {
                case 0x22:
                    index += 1
                    guard let text = String(validating: out, as: UTF8.self) else {
                        throw ParseError(offset: start, reason: "a string is not valid UTF-8")
                    }
                    return text
                case 0x5C:
                    guard index + 1 < bytes.count else { throw ParseError(offset: index, reason: "unterminated escape") }
                    let escaped = bytes[index + 1]
                    index += 2
                    switch escaped {
                    case 0x22, 0x5C, 0x2F: out.append(escaped)
                    case 0x62: out.append(0x08)
                    case 0x66: out.append(0x0C)
                    case 0x6E: out.append(0x0A)
                    case 0x72: out.append(0x0D)
                    case 0x74: out.append(0x09)
                    case 0x75:
                        var scalar = try hex4()
                        if (0xD800..<0xDC00).contains(scalar) {
                            guard index + 1 < bytes.count, bytes[index] == 0x5C, bytes[index + 1] == 0x75 else {
                                throw ParseError(offset: index, reason: "unpaired surrogate")
                            }
                            index += 2
                            let low = try hex4()
                            guard (0xDC00..<0xE000).contains(low) else { throw ParseError(offset: index, reason: "unpaired surrogate") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let unicode = Unicode.Scalar(scalar) else { throw ParseError(offset: index, reason: "invalid \\u escape") }
                        out += Array(String(Character(unicode)).utf8)
                    default:
                        throw ParseError(offset: index - 2, reason: "invalid escape")
                    }
                case 0..<0x20:
                    throw ParseError(offset: index, reason: "a control character in a string")
                default:
                    out.append(byte)
                    index += 1
                }
            }
        }

        mutating func hex4() throws(ParseError) -> UInt32 {
            guard index + 4 <= bytes.count else { throw ParseError(offset: index, reason: "short \\u escape") }
            var value: UInt32 = 0
            for byte in bytes[index..<(index + 4)] {
                value <<= 4
                switch byte {
                case 0x30...0x39: value |= UInt32(byte - 0x30)
                case 0x41...0x46: value |= UInt32(byte - 0x41 + 10)
                case 0x61...0x66: value |= UInt32(byte - 0x61 + 10)
                default: throw ParseError(offset: index, reason: "invalid \\u escape")
                }
            }
            index += 4
            return value
        }
    }
}
