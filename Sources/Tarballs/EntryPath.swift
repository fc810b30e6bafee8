/// A validated path inside the extraction root, as UTF-8 bytes: components joined by `/`, none
/// of them empty, `.` or `..`; the empty path is the root itself. Compared and hashed by bytes
/// (a `String` would conflate canonically equivalent but different names).
struct EntryPath: Hashable, Sendable, CustomStringConvertible {
    let bytes: [UInt8]

    static let root = EntryPath(bytes: [])

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    init(components: some Sequence<ArraySlice<UInt8>>) {
        var bytes: [UInt8] = []
        for component in components {
            if !bytes.isEmpty { bytes.append(PathRules.slash) }
            bytes.append(contentsOf: component)
        }
        self.bytes = bytes
    }

    var isRoot: Bool { bytes.isEmpty }

    var components: [ArraySlice<UInt8>] { bytes.split(separator: PathRules.slash) }

    /// The directory holding this path (`.root` for a top-level name).
    var parent: EntryPath {
        guard let slash = bytes.lastIndex(of: PathRules.slash) else { return .root }
        return EntryPath(bytes: Array(bytes[..<slash]))
    }

    /// The last component.
    var name: ArraySlice<UInt8> {
        guard let slash = bytes.lastIndex(of: PathRules.slash) else { return bytes[...] }
        return bytes[(slash + 1)...]
    }

    /// The first component (the top-level name).
    var top: ArraySlice<UInt8> {
        guard let slash = bytes.firstIndex(of: PathRules.slash) else { return bytes[...] }
        return bytes[..<slash]
    }

    /// Every proper ancestor, outermost first, the root excluded: `a`, `a/b` for `a/b/c`.
    var ancestors: [EntryPath] {
        bytes.indices.filter { bytes[$0] == PathRules.slash }.map { EntryPath(bytes: Array(bytes[..<$0])) }
    }

    var description: String { String(decoding: bytes, as: UTF8.self) }
}

/// The name and link-target rules of extraction, on raw entry bytes. Pure: no file system.
enum PathRules {
    static let slash = UInt8(ascii: "/")
    static let dot = UInt8(ascii: ".")
    /// NAME_MAX on Linux and macOS.
    static let maxComponentLength = 255

    /// An entry name → its normalized path. `./` prefixes, `.` components, repeated and trailing
    /// slashes are dropped (GNU tar's `tar -C dir -c .` writes `./a/b`); `./` alone is the root.
    static func entryPath(_ raw: [UInt8], maxLength: Int) throws(ExtractionRule) -> EntryPath {
        if raw.isEmpty { throw .emptyName }
        if raw.count > maxLength { throw .nameTooLong(length: raw.count, limit: maxLength) }
        if raw.first == slash { throw .absolutePath }
        if !isValidUTF8(raw) { throw .invalidEncoding }
        var kept: [ArraySlice<UInt8>] = []
        for component in raw.split(separator: slash) where !isDot(component) {
            if isDotDot(component) { throw .parentComponent }
            if component.count > maxComponentLength { throw .componentTooLong(length: component.count) }
            kept.append(component)
        }
        return EntryPath(components: kept)
    }

    /// A symlink target, checked where it stands: relative, valid UTF-8, and not leaving the root
    /// when its `..` components are applied to the link's directory. (`escapes` checks the whole
    /// tree once every link exists.)
    static func checkSymlinkTarget(_ raw: [UInt8], link: EntryPath, maxLength: Int) throws(ExtractionRule) {
        let text = String(decoding: raw, as: UTF8.self)
        if raw.isEmpty { throw .symlinkEmpty }
        if raw.count > maxLength { throw .nameTooLong(length: raw.count, limit: maxLength) }
        if !isValidUTF8(raw) { throw .invalidEncoding }
        if raw.first == slash { throw .symlinkAbsolute(target: text) }
        var depth = link.parent.components.count
        for component in raw.split(separator: slash) where !isDot(component) {
            if isDotDot(component) {
                depth -= 1
                if depth < 0 { throw .symlinkEscapes(target: text) }
            } else {
                if component.count > maxComponentLength { throw .componentTooLong(length: component.count) }
                depth += 1
            }
        }
    }

    /// A hard link target → the path of the earlier entry it names (relative to the root, as tar
    /// stores it). Absolute or `..` targets are outside the root.
    static func hardlinkTarget(_ raw: [UInt8], maxLength: Int) throws(ExtractionRule) -> EntryPath {
        let text = String(decoding: raw, as: UTF8.self)
        switch Result(catching: { () throws(ExtractionRule) in try entryPath(raw, maxLength: maxLength) }) {
        case let .success(path):
            if path.isRoot { throw .hardlinkMissing(target: text) }
            return path
        case .failure(.absolutePath), .failure(.parentComponent):
            throw .hardlinkOutside(target: text)
        case .failure(.emptyName):
            throw .hardlinkMissing(target: text)
        case let .failure(rule):
            throw rule
        }
    }

    /// Whether following `link` (whose target is `target`) leaves the root, resolving like the
    /// kernel does: `..` after a component that is itself a symlink climbs from where that
    /// symlink points, not from where it stands. `symlinkTarget` answers for every path that is a
    /// symlink in the tree. Components that do not exist are taken lexically. A chain longer
    /// than 40 links is a loop the kernel refuses (ELOOP): it leads nowhere, so not outside.
    static func escapes(link: EntryPath, target: [UInt8], symlinkTarget: (EntryPath) -> [UInt8]?) -> Bool {
        var stack = link.parent.components
        var pending = ArraySlice(target.split(separator: slash).reversed())
        var hops = 0
        while let component = pending.popLast() {
            if isDot(component) { continue }
            if isDotDot(component) {
                if stack.isEmpty { return true }
                stack.removeLast()
                continue
            }
            stack.append(component)
            guard let next = symlinkTarget(EntryPath(components: stack)) else { continue }
            hops += 1
            if hops > 40 { return false }
            if next.first == slash { return true }
            stack.removeLast()
            pending.append(contentsOf: next.split(separator: slash).reversed())
        }
        return false
    }

    static func isDot(_ component: ArraySlice<UInt8>) -> Bool {
        component.count == 1 && component.first == dot
    }

    static func isDotDot(_ component: ArraySlice<UInt8>) -> Bool {
        component.count == 2 && component.allSatisfy { $0 == dot }
    }

    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        String(validating: bytes, as: UTF8.self) != nil
    }
}
