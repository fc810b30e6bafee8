/// A package's `.meta.json` (`<arch>/<Name>/<Version>-<Rev>/.meta.json` in its tarball): where
/// it came from and what it was built with, as aliBuild records it. The Builder writes it with
/// ``text``; the publisher reads it with ``init(metaJSON:)``.
public struct PackageProvenance: Hashable, Sendable {
    /// A package as the record names it (the package itself and each dependency).
    public struct Package: Hashable, Sendable {
        public var name: String
        public var version: String
        public var revision: String
        /// aliBuild's package hash; empty when unknown.
        public var hash: String
        /// The recipe's tag and source; nil when the record has none.
        public var tag: String?
        public var source: String?

        public init(name: String, version: String, revision: String, hash: String = "", tag: String? = nil, source: String? = nil) {
            self.name = name
            self.version = version
            self.revision = revision
            self.hash = hash
            self.tag = tag
            self.source = source
        }

        /// The build: version and revision.
        public var build: PackageVersion { PackageVersion(version: version, revision: revision) }
    }

    public var toolVersion: String
    public var architecture: String
    public var defaults: String
    public var package: Package
    /// `dependencies.direct.build`, `.direct.runtime`, `.recursive.build`, `.recursive.runtime`.
    public var directBuild: [Package]
    public var directRuntime: [Package]
    public var recursiveBuild: [Package]
    public var recursiveRuntime: [Package]

    public init(
        toolVersion: String, architecture: String, defaults: String, package: Package, directBuild: [Package],
        directRuntime: [Package], recursiveBuild: [Package], recursiveRuntime: [Package]
    ) {
        self.toolVersion = toolVersion
        self.architecture = architecture
        self.defaults = defaults
        self.package = package
        self.directBuild = directBuild
        self.directRuntime = directRuntime
        self.recursiveBuild = recursiveBuild
        self.recursiveRuntime = recursiveRuntime
    }

    /// The one writer: sorted keys, two-space indentation, `"key" : value` and `\/` (the layout
    /// of Foundation's `JSONSerialization` with `.sortedKeys, .prettyPrinted`, which wrote
    /// these files before), and a final newline.
    public var text: String {
        func entry(_ package: Package) -> JSONValue {
            .object([
                "name": .string(package.name), "tag": .string(package.tag ?? ""), "source": package.source.map { .string($0) } ?? .null,
                "version": .string(package.version), "revision": .string(package.revision), "hash": .string(package.hash)
            ])
        }
        let record = JSONValue.object([
            "alien_install_version": .string(toolVersion),
            "architecture": .string(architecture),
            "defaults": .string(defaults),
            "package": entry(package),
            "dependencies": .object([
                "direct": .object(["build": .array(directBuild.map(entry)), "runtime": .array(directRuntime.map(entry))]),
                "recursive": .object(["build": .array(recursiveBuild.map(entry)), "runtime": .array(recursiveRuntime.map(entry))])
            ])
        ])
        var out: [UInt8] = []
        Self.writePretty(record, indent: 0, to: &out)
        out.append(UInt8(ascii: "\n"))
        return String(decoding: out, as: UTF8.self)
    }

    /// The one reader. Required: `package` {name, version, revision: non-empty strings} and
    /// `architecture`; `dependencies` and each of its lists may be missing (empty), a list
    /// present must hold such objects. `hash`, `tag`, `source` are read when they are strings.
    public init(metaJSON bytes: [UInt8]) throws(PackageProvenanceError) {
        let value: JSONValue
        do { value = try JSONValue(parsing: bytes) } catch { throw PackageProvenanceError(reason: "\(error)") }
        guard case let .object(top) = value else { throw PackageProvenanceError(reason: "expected a JSON object, got \(value.kind)") }
        func string(_ object: [String: JSONValue], _ field: String, _ context: String) throws(PackageProvenanceError) -> String {
            guard case let .string(text)? = object[field], !text.isEmpty else {
                throw PackageProvenanceError(reason: "\(context).\(field): expected a non-empty string, got \(object[field]?.kind ?? "nothing")")
            }
            return text
        }
        func optional(_ object: [String: JSONValue], _ field: String) -> String? {
            if case let .string(text)? = object[field] { text } else { nil }
        }
        func package(_ value: JSONValue, _ context: String) throws(PackageProvenanceError) -> Package {
            guard case let .object(object) = value else { throw PackageProvenanceError(reason: "\(context): expected an object, got \(value.kind)") }
            return Package(
                name: try string(object, "name", context), version: try string(object, "version", context),
                revision: try string(object, "revision", context), hash: optional(object, "hash") ?? "",
                tag: optional(object, "tag"), source: optional(object, "source"))
        }
        func list(_ kind: String, _ type: String) throws(PackageProvenanceError) -> [Package] {
            guard case let .object(dependencies)? = top["dependencies"] else { return [] }
            guard case let .object(group)? = dependencies[kind], let entries = group[type] else { return [] }
            guard case let .array(items) = entries else {
                throw PackageProvenanceError(reason: "dependencies.\(kind).\(type): expected an array, got \(entries.kind)")
            }
            var packages: [Package] = []
            for (index, item) in items.enumerated() { packages.append(try package(item, "dependencies.\(kind).\(type)[\(index)]")) }
            return packages
        }
        guard let packageValue = top["package"] else { throw PackageProvenanceError(reason: "missing field 'package'") }
        self.package = try package(packageValue, "package")
        architecture = try string(top, "architecture", "")
        directRuntime = try list("direct", "runtime")
        directBuild = try list("direct", "build")
        recursiveBuild = try list("recursive", "build")
        recursiveRuntime = try list("recursive", "runtime")
        toolVersion = optional(top, "alien_install_version") ?? ""
        defaults = optional(top, "defaults") ?? ""
    }

    private static func writePretty(_ value: JSONValue, indent: Int, to out: inout [UInt8]) {
        func newline(_ level: Int) {
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * level))
        }
        switch value {
        case let .object(members):
            out.append(UInt8(ascii: "{"))
            for (index, key) in JSONValue.sortedKeys(members).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                writeString(key, to: &out)
                out.append(contentsOf: Array(" : ".utf8))
                writePretty(members[key]!, indent: indent + 1, to: &out)
            }
            if members.isEmpty { out.append(UInt8(ascii: "\n")) }
            newline(indent)
            out.append(UInt8(ascii: "}"))
        case let .array(elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                writePretty(element, indent: indent + 1, to: &out)
            }
            if elements.isEmpty { out.append(UInt8(ascii: "\n")) }
            newline(indent)
            out.append(UInt8(ascii: "]"))
        case let .string(text):
            writeString(text, to: &out)
        case let .integer(number):
            out.append(contentsOf: String(number).utf8)
        case let .bool(flag):
            out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null:
            out.append(contentsOf: "null".utf8)
        }
    }

    /// A string as `JSONSerialization` escapes it: `"`, `\`, `/`, the short escapes, `\u00XX`
    /// for other control characters, everything else raw UTF-8.
    private static func writeString(_ text: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(contentsOf: [UInt8(ascii: "\\"), byte])
            case 0x08: out.append(contentsOf: Array("\\b".utf8))
            case 0x0C: out.append(contentsOf: Array("\\f".utf8))
            case 0x0A: out.append(contentsOf: Array("\\n".utf8))
            case 0x0D: out.append(contentsOf: Array("\\r".utf8))
            case 0x09: out.append(contentsOf: Array("\\t".utf8))
            case 0..<0x20: out.append(contentsOf: Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Why a `.meta.json` was refused.
public struct PackageProvenanceError: Error, Hashable, Sendable, CustomStringConvertible {
    public var reason: String

    public init(reason: String) { self.reason = reason }

    public var description: String { reason }
}
