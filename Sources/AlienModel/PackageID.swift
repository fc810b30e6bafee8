#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Which version of a package a request means.
public enum VersionSelector: Hashable, Sendable, CustomStringConvertible {
    /// No version given (`AliRoot`): any, resolved by the caller's policy.
    case any
    /// `::latest`: the newest published revision.
    case latest
    /// A version as written, with or without its build revision: `v5-09-59` or `v5-09-59-1`.
    /// Which part is the revision cannot be told from the text alone (`v5-09-59` ends in `-59`),
    /// so the text is kept whole and matched with ``matches(version:revision:)``.
    case exact(String)

    public var description: String {
        switch self {
        case .any: ""
        case .latest: "latest"
        case let .exact(text): text
        }
    }

    /// Whether a concrete `version`/`revision` pair satisfies this selector.
    public func matches(version: String, revision: String) -> Bool {
        switch self {
        case .any, .latest: true
        case let .exact(text): text == version || text == "\(version)-\(revision)"
        }
    }

    /// Whether a build satisfies this selector.
    public func matches(_ build: PackageVersion) -> Bool { matches(version: build.version, revision: build.revision) }
}

/// AliEn's package identity: `[OWNER@]Name[::Version[-Revision]]`, e.g.
/// `VO_ALICE@AliRoot::v5-09-59-1`; the module spelling `Name/Version-Revision` is accepted too.
public struct PackageID: Hashable, Sendable, CustomStringConvertible {
    /// The owner of VO-wide packages.
    public static let defaultOwner = "VO_ALICE"

    public var owner: String?
    public var name: PackageName

    /// Owners (VO names) are at most this long.
    public static let maximumOwnerLength = 100

    /// Whether `text` may be an owner prefix (a VO name): 1–100 letters, digits, `_`, `.`, `-`.
    public static func isValidOwner(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.count <= maximumOwnerLength
            && text.unicodeScalars.allSatisfy { PackageName.isAlphanumeric($0) || "_.-".unicodeScalars.contains($0) }
    }
    public var version: VersionSelector

    public init(owner: String? = nil, name: PackageName, version: VersionSelector = .any) {
        self.owner = owner
        self.name = name
        self.version = version
    }

    /// Parses every spelling users type: `VO_ALICE@AliRoot::v5-09-59-1`, `AliRoot::v5-09-59`,
    /// `AliRoot/v5-09-59-1`, `AliRoot`, `user@AliRoot`, `X::latest`.
    public init(parsing text: String) throws(ModelError) {
        // Most ids have nothing to trim (JDLs list thousands).
        let edges = [text.unicodeScalars.first, text.unicodeScalars.last].compactMap { $0 }
        let trimmed = edges.contains(where: Trimming.isWhitespace) ? Trimming.whitespace(text) : text
        guard !trimmed.isEmpty else { throw .invalidPackageID(text, reason: "it is empty") }
        var rest = Substring(trimmed)
        var owner: String?
        if let at = rest.firstIndex(of: "@") {
            let ownerText = String(rest[..<at])
            guard !ownerText.isEmpty else { throw .invalidPackageID(text, reason: "nothing before '@'") }
            guard Self.isValidOwner(ownerText) else {
                throw .invalidPackageID(
                    text, reason: "owner \(quoted(ownerText)) may hold only letters, digits, '_', '.', '-' (at most \(Self.maximumOwnerLength))")
            }
            owner = ownerText
            rest = rest[rest.index(after: at)...]
        }
        let nameText: Substring
        var versionText: Substring?
        if let range = Self.firstDoubleColon(in: rest) {
            nameText = rest[..<range.lowerBound]
            versionText = rest[range.upperBound...]
        } else if let slash = rest.firstIndex(of: "/") {
            nameText = rest[..<slash]
            versionText = rest[rest.index(after: slash)...]
        } else {
            nameText = rest
        }
        let name: PackageName
        do { name = try PackageName(String(nameText)) } catch {
            throw .invalidPackageID(text, reason: error.description)
        }
        var selector = VersionSelector.any
        if let versionText {
            guard !versionText.isEmpty else { throw .invalidPackageID(text, reason: "the version after the separator is empty") }
            if versionText.lowercased() == "latest" {
                selector = .latest
            } else {
                if let bad = versionText.unicodeScalars.first(where: { " \t@/:".unicodeScalars.contains($0) }) {
                    throw .invalidPackageID(text, reason: "character \(quoted(String(bad))) is not allowed in a version")
                }
                selector = .exact(String(versionText))
            }
        }
        self.init(owner: owner, name: name, version: selector)
    }

    /// Where the first `::` is (a byte search: `range(of:)` goes through Foundation).
    private static func firstDoubleColon(in text: Substring) -> Range<Substring.Index>? {
        let bytes = text.utf8
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let next = bytes.index(after: index)
            if bytes[index] == UInt8(ascii: ":"), next != bytes.endIndex, bytes[next] == UInt8(ascii: ":") {
                return index..<bytes.index(after: next)
            }
            index = next
        }
        return nil
    }

    /// `OWNER@Name::Version` with the owner and version only when known.
    public var description: String {
        var text = owner.map { "\($0)@" } ?? ""
        text += name.rawValue
        if version != .any { text += "::\(version)" }
        return text
    }

    /// The fully qualified AliEn spelling, filling in `defaultOwner` when no owner was given.
    public func qualified(defaultOwner: String = PackageID.defaultOwner) -> String {
        var copy = self
        if copy.owner == nil { copy.owner = defaultOwner }
        return copy.description
    }

    /// The Environment Modules spelling: `Name/Version-Revision` (or just `Name`).
    public var moduleName: String {
        version == .any ? name.rawValue : "\(name.rawValue)/\(version)"
    }
}

extension PackageID {
    /// An exact build of `name`: `[OWNER@]Name::Version-Revision`.
    public init(owner: String? = nil, name: PackageName, build: PackageVersion) {
        self.init(owner: owner, name: name, version: .exact(build.description))
    }

    /// The one spelling of an exact build, `[OWNER@]Name::Version-Revision`: what `alienv q`,
    /// packmand's answers, `jdl check` and error messages print. `PackageID(parsing:)` reads it.
    public static func spelling(name: String, build: PackageVersion, owner: String? = nil) -> String {
        (owner.map { "\($0)@" } ?? "") + name + "::" + build.description
    }
}
