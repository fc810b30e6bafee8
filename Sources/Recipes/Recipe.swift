import Foundation
public import AlienModel

/// One recipe (or defaults) file in the alidist format: a YAML header, the first `---`,
/// then a bash build script.
public struct Recipe: Hashable, Sendable {
    /// The path used in messages.
    public let file: String
    /// The header, in file order, with PyYAML's value types.
    public var header: RecipeMap
    /// Everything after the first `---`, as written.
    public var body: String
    /// The line on which the `---` stands (the body starts right after it).
    public let separatorLine: Int
    /// The `package:` field, validated.
    public let package: PackageName

    /// The recipe as aliBuild stores it: the body with leading and trailing newlines removed.
    public var script: String { body.pythonStrip("\n") }

    public func location(of key: String) -> SourceLocation {
        SourceLocation(file: file, line: header.line(of: key) ?? 1)
    }

    /// Parses and validates a recipe file.
    ///
    /// The text is split at the **first** `---` anywhere in it (aliBuild's rule), the head
    /// loaded as YAML. When `file` ends in `.sh`, its base name must be `lower(package).sh`.
    public init(text rawText: String, file: String) throws(RecipeError) {
        // aliBuild reads recipes with Python's universal newlines: "\r\n" and "\r" become "\n".
        let text =
            Self.containsCarriageReturn(rawText)
            ? rawText.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            : rawText
        guard let separator = Self.firstSeparator(in: text) else {
            throw .headerMissing(SourceLocation(file: file))
        }
        let headerText = String(text[..<separator.lowerBound])
        self.file = file
        self.body = String(text[separator.upperBound...])
        self.separatorLine = Self.lineCount(headerText)
        let parsed = try YAMLHeader.parse(headerText, file: file)
        switch parsed {
        case .null:
            throw .emptyHeader(SourceLocation(file: file, line: 1))
        case let .map(map):
            header = map
        default:
            throw .headerNotMapping(SourceLocation(file: file, line: 1), got: parsed.kindName)
        }
        guard let packageValue = header["package"] else {
            throw .missingPackage(SourceLocation(file: file, line: 1))
        }
        let packageLocation = SourceLocation(file: file, line: header.line(of: "package") ?? 1)
        guard case let .string(packageText) = packageValue else {
            throw .wrongType(packageLocation, key: "package", expected: "a string", got: packageValue.kindName)
        }
        do {
            package = try PackageName(packageText)
        } catch {
            throw .invalidPackageName(packageLocation, error)
        }
        if file.hasSuffix(".sh") {
            let baseName = file.split(separator: "/").last.map(String.init) ?? file
            guard baseName == package.recipeFileName else {
                throw .fileNameMismatch(packageLocation, package: packageText, expectedFile: package.recipeFileName)
            }
        }
        try validate()
    }

    /// The first `---` anywhere in the text (a byte search: recipes are read often).
    /// Whether the text holds a "\r" (a byte loop over contiguous UTF-8: recipes are read often).
    static func containsCarriageReturn(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { bytes in
            guard let base = bytes.baseAddress else { return false }
            return memchr(base, 13, bytes.count) != nil
        } ?? text.utf8.contains(13)
    }

    /// 1 + the number of "\n" in the text.
    static func lineCount(_ text: String) -> Int {
        text.utf8.withContiguousStorageIfAvailable { bytes in
            var count = 1
            for byte in bytes where byte == 10 { count += 1 }
            return count
        } ?? text.utf8.reduce(1) { $1 == 10 ? $0 + 1 : $0 }
    }

    static func firstSeparator(in text: String) -> Range<String.Index>? {
        // Over the contiguous bytes (a native string's), the offset turned into an index once.
        if let found = text.utf8.withContiguousStorageIfAvailable({ bytes -> Int? in
            var run = 0
            for offset in 0..<bytes.count {
                run = bytes[offset] == UInt8(ascii: "-") ? run + 1 : 0
                if run == 3 { return offset - 2 }
            }
            return nil
        }) {
            guard let start = found else { return nil }
            let lower = text.utf8.index(text.utf8.startIndex, offsetBy: start)
            return lower..<text.utf8.index(lower, offsetBy: 3)
        }
        let bytes = text.utf8
        var run = 0
        var index = bytes.startIndex
        while index != bytes.endIndex {
            run = bytes[index] == UInt8(ascii: "-") ? run + 1 : 0
            if run == 3 {
                let end = bytes.index(after: index)
                return bytes.index(index, offsetBy: -2)..<end
            }
            index = bytes.index(after: index)
        }
        return nil
    }

    /// Type checks of the keys aliBuild relies on. Unknown keys are kept and not checked.
    private func validate() throws(RecipeError) {
        if let version = header["version"], version.stringValue == nil {
            throw .wrongType(location(of: "version"), key: "version", expected: "a string (quote it: \"1.0\")", got: version.kindName)
        }
        if let tag = header["tag"], tag.stringValue == nil {
            throw .wrongType(location(of: "tag"), key: "tag", expected: "a string", got: tag.kindName)
        }
        for key in ["requires", "build_requires"] {
            guard let value = header[key] else { continue }
            guard case let .list(items) = value else {
                throw .wrongType(location(of: key), key: key, expected: "a list of package names", got: value.kindName)
            }
            for item in items {
                guard case let .string(text) = item else {
                    throw .wrongType(location(of: key), key: key, expected: "a list of strings", got: "an entry that is \(item.kindName)")
                }
                _ = try Requirement(parsing: text, location: location(of: key), key: key)
            }
        }
        for key in ["env", "prepend_path", "append_path", "track_env", "prefer_system_replacement_specs"] {
            if let value = header[key], value.mapValue == nil {
                throw .wrongType(location(of: key), key: key, expected: "a mapping (KEY: value lines)", got: value.kindName)
            }
        }
        for key in ["prefer_system", "system_requirement", "prefer_system_check", "system_requirement_check"] {
            if let value = header[key], value.stringValue == nil {
                throw .wrongType(location(of: key), key: key, expected: "a string", got: value.kindName)
            }
        }
        if let valid = header["valid_defaults"], !valid.asList.allSatisfy({ $0.stringValue != nil }) {
            throw .wrongType(location(of: "valid_defaults"), key: "valid_defaults", expected: "a string or a list of strings", got: valid.kindName)
        }
        if header.contains("system_requirement"), !body.pythonStrip("\n\t ").isEmpty {
            throw .bodyInSystemRequirement(SourceLocation(file: file, line: separatorLine))
        }
    }
}

extension String {
    /// Python's `str.strip(chars)`: removes the given characters (compared as Unicode
    /// scalars, so `\r\n` is two) from both ends.
    public func pythonStrip(_ characters: String) -> String {
        let set = Set(characters.unicodeScalars)
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !set.contains($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !set.contains($0) })!
        return String(scalars[first...last])
    }
}
