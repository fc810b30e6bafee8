/// A value of an environment manifest: literal text and variable references, nothing else.
///
/// The text form is the content of a bash double-quoted string restricted to what can be
/// evaluated exactly without a shell: literal characters, `$NAME` and `${NAME}`, and the
/// escapes `\$`, `` \` ``, `\"` and `\\` (a backslash before any other character is itself,
/// as in bash). Command substitution (`$(…)`, backticks), arithmetic (`$((…))`, `$[…]`),
/// parameter operators (`${X:-y}`, `${X+y}`, …), positional and special parameters (`$1`,
/// `$@`, `$$`, …), a `$` that starts no reference, newlines and NUL are refused, and so are
/// references to the variables bash sets for itself (`$BASH_VERSION`, `$RANDOM`, `$PWD`, …),
/// whose value in a shell is not the environment's.
///
/// The canonical text (`description`) escapes every literal `\`, `$`, `` ` `` and `"`, and
/// writes `${NAME}` only where a name character follows: it is itself valid bash
/// double-quoted content with the same meaning, and equal templates have equal texts.
public struct EnvironmentTemplate: Hashable, Sendable, CustomStringConvertible {
    public enum Part: Hashable, Sendable {
        case literal(String)
        case variable(String)
    }

    /// Adjacent literals merged, no empty literal.
    public private(set) var parts: [Part]

    public init(parts: [Part]) {
        var merged: [Part] = []
        for part in parts {
            switch (merged.last, part) {
            case (_, .literal("")): continue
            case let (.literal(previous)?, .literal(text)): merged[merged.count - 1] = .literal(previous + text)
            default: merged.append(part)
            }
        }
        self.parts = merged
    }

    public static func literal(_ text: String) -> EnvironmentTemplate { EnvironmentTemplate(parts: [.literal(text)]) }

    /// Longest accepted template text.
    public static let maximumLength = 64 * 1024

    /// Parses bash double-quoted content (without the quotes). The reason of a refusal names
    /// the offending construct; `column` is 1-based within `text`.
    public init(shellDoubleQuoted text: String) throws(TemplateError) {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count <= Self.maximumLength else { throw TemplateError(column: 1, reason: "longer than \(Self.maximumLength) characters") }
        var parts: [Part] = []
        var literal = String.UnicodeScalarView()
        func flush() {
            if !literal.isEmpty { parts.append(.literal(String(literal))); literal = String.UnicodeScalarView() }
        }
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "\\":
                guard index + 1 < scalars.count else {
                    throw TemplateError(column: index + 1, reason: "a trailing backslash")
                }
                let next = scalars[index + 1]
                if "$`\"\\".unicodeScalars.contains(next) {
                    literal.append(next)
                    index += 2
                } else if next == "\n" {
                    throw TemplateError(column: index + 1, reason: "a line continuation")
                } else {
                    literal.append(scalar)
                    index += 1
                }
            case "`":
                throw TemplateError(column: index + 1, reason: "command substitution with backticks")
            case "\"":
                throw TemplateError(column: index + 1, reason: "an unescaped double quote")
            case "\n", "\r", "\0":
                throw TemplateError(column: index + 1, reason: "a control character (newline, carriage return or NUL)")
            case "$":
                let (name, next) = try Self.reference(scalars, at: index)
                flush()
                parts.append(.variable(name))
                index = next
            default:
                literal.append(scalar)
                index += 1
            }
        }
        flush()
        self.init(parts: parts)
    }

    /// The template of a text in canonical form (`description`), read in one pass over its
    /// UTF-8: what `init(shellDoubleQuoted:)` gives when its `description` is `text`, else nil
    /// (then `init(shellDoubleQuoted:)` says why). Manifests hold only canonical texts, so this
    /// is how they are read.
    public init?(canonical text: String) {
        var copy = text
        guard let template = copy.withUTF8({ Self(canonicalUTF8: $0) }) else { return nil }
        self = template
    }

    /// `init(canonical:)` of valid UTF-8 bytes.
    init?(canonicalUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count <= Self.maximumLength, let parts = Self.canonicalParts(bytes) else { return nil }
        self.parts = parts
    }

    /// The parts of a canonical text, nil when it is not one. Literal escapes are exactly
    /// `\\ \$ \` \"`; `${NAME}` only before a name character; no refused construct.
    static func canonicalParts(_ bytes: UnsafeBufferPointer<UInt8>) -> [Part]? {
        func isNameStart(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) || (0x41...0x5A).contains(byte) || byte == 0x5F }
        func isNameCharacter(_ byte: UInt8) -> Bool { isNameStart(byte) || (0x30...0x39).contains(byte) }
        var parts: [Part] = []
        // Room for the usual `$NAME/literal` (one allocation, not a growth per part).
        parts.reserveCapacity(4)
        // The current literal: bytes from `runStart`, after what `unescaped` holds (only when
        // the literal had an escape; most have none and are made from the bytes directly).
        var unescaped: [UInt8] = []
        var runStart = 0
        func flush(_ end: Int) {
            if unescaped.isEmpty {
                if end > runStart { parts.append(.literal(String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart..<end]), as: UTF8.self))) }
            } else {
                unescaped.append(contentsOf: bytes[runStart..<end])
                parts.append(.literal(String(decoding: unescaped, as: UTF8.self)))
                unescaped.removeAll(keepingCapacity: true)
            }
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x5C:  // \
                guard index + 1 < bytes.count, [0x24, 0x60, 0x22, 0x5C].contains(bytes[index + 1]) else { return nil }
                unescaped.append(contentsOf: bytes[runStart..<index])
                unescaped.append(bytes[index + 1])
                index += 2
                runStart = index
            case 0x60, 0x22, 0x0A, 0x0D, 0x00:  // ` " newline CR NUL
                return nil
            case 0x24:  // $
                let braced = index + 1 < bytes.count && bytes[index + 1] == 0x7B
                let start = index + (braced ? 2 : 1)
                guard start < bytes.count, isNameStart(bytes[start]) else { return nil }
                var end = start
                while end < bytes.count, isNameCharacter(bytes[end]) { end += 1 }
                if braced {
                    // `${NAME}` is canonical only where a name character follows.
                    guard end < bytes.count, bytes[end] == 0x7D, end + 1 < bytes.count, isNameCharacter(bytes[end + 1]) else { return nil }
                }
                let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                guard !ShellVariables.isShellOwned(name) else { return nil }
                flush(index)
                parts.append(.variable(name))
                index = braced ? end + 1 : end
                runStart = index
            default:
                index += 1
            }
        }
        flush(bytes.count)
        return parts
    }

    /// The reference starting at the `$` at `index`: its name and the index after it.
    static func reference(_ scalars: [Unicode.Scalar], at index: Int) throws(TemplateError) -> (String, Int) {
        let column = index + 1
        guard index + 1 < scalars.count else {
            throw TemplateError(column: column, reason: "a '$' that starts no variable reference (write \\$ for a dollar sign)")
        }
        let next = scalars[index + 1]
        if isNameStart(next) {
            var end = index + 1
            while end < scalars.count, isNameCharacter(scalars[end]) { end += 1 }
            let name = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
            try checkReference(name, column: column)
            return (name, end)
        }
        switch next {
        case "{":
            var end = index + 2
            guard end < scalars.count, isNameStart(scalars[end]) else {
                throw TemplateError(column: column, reason: "only ${NAME} is understood inside ${…}")
            }
            while end < scalars.count, isNameCharacter(scalars[end]) { end += 1 }
            guard end < scalars.count, scalars[end] == "}" else {
                let operatorText = end < scalars.count ? String(scalars[end]) : "the end"
                throw TemplateError(column: column, reason: "parameter expansion with '\(operatorText)' (only ${NAME} is understood)")
            }
            let name = String(String.UnicodeScalarView(scalars[(index + 2)..<end]))
            try checkReference(name, column: column)
            return (name, end + 1)
        case "(":
            throw TemplateError(
                column: column,
                reason: index + 2 < scalars.count && scalars[index + 2] == "("
                    ? "arithmetic expansion $((…))" : "command substitution $(…)")
        case "[":
            throw TemplateError(column: column, reason: "arithmetic expansion $[…]")
        default:
            if ("0"..."9").contains(next) || "@*#?-$!".unicodeScalars.contains(next) {
                throw TemplateError(column: column, reason: "the positional or special parameter $\(next)")
            }
            throw TemplateError(column: column, reason: "a '$' that starts no variable reference (write \\$ for a dollar sign)")
        }
    }

    static func checkReference(_ name: String, column: Int) throws(TemplateError) {
        if ShellVariables.isShellOwned(name) {
            throw TemplateError(column: column, reason: "a reference to $\(name), which bash sets itself (its value in a shell is not the environment's)")
        }
    }

    /// The canonical text.
    public var description: String {
        var result = ""
        for (offset, part) in parts.enumerated() {
            switch part {
            case let .literal(text):
                for scalar in text.unicodeScalars {
                    if "\\$`\"".unicodeScalars.contains(scalar) { result.unicodeScalars.append("\\") }
                    result.unicodeScalars.append(scalar)
                }
            case let .variable(name):
                var braced = false
                if offset + 1 < parts.count, case let .literal(next) = parts[offset + 1], let first = next.unicodeScalars.first,
                    Self.isNameCharacter(first)
                {
                    braced = true
                }
                result += braced ? "${\(name)}" : "$\(name)"
            }
        }
        return result
    }

    /// The names this template reads.
    public var references: [String] {
        parts.compactMap { if case let .variable(name) = $0 { name } else { nil } }
    }

    /// The value, each reference replaced by `lookup(name)` (nil: unset, which is empty).
    public func evaluate(_ lookup: (String) -> String?) -> String {
        var result = ""
        for part in parts {
            switch part {
            case let .literal(text): result += text
            case let .variable(name): result += lookup(name) ?? ""
            }
        }
        return result
    }

    /// The template split at every literal `:` (a list as init.sh joins it; never empty).
    public func splitAtColons() -> [EnvironmentTemplate] {
        var items: [[Part]] = [[]]
        for part in parts {
            switch part {
            case let .literal(text):
                let pieces = text.split(separator: ":", omittingEmptySubsequences: false)
                for (offset, piece) in pieces.enumerated() {
                    if offset > 0 { items.append([]) }
                    items[items.count - 1].append(.literal(String(piece)))
                }
            case .variable:
                items[items.count - 1].append(part)
            }
        }
        return items.map { EnvironmentTemplate(parts: $0) }
    }

    /// Templates joined with literal `:` (what init.sh writes for a list).
    public static func joined(_ items: [EnvironmentTemplate]) -> EnvironmentTemplate {
        var parts: [Part] = []
        for (offset, item) in items.enumerated() {
            if offset > 0 { parts.append(.literal(":")) }
            parts += item.parts
        }
        return EnvironmentTemplate(parts: parts)
    }

    static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }

    static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        isNameStart(scalar) || ("0"..."9").contains(scalar)
    }
}

/// Why a template text was refused; `column` is 1-based.
public struct TemplateError: Error, Equatable, Sendable, CustomStringConvertible {
    public var column: Int
    public var reason: String
    public var description: String { "column \(column): \(reason)" }
}

/// Names as bash treats them.
public enum ShellVariables {
    /// A shell variable name: `[A-Za-z_][A-Za-z0-9_]*`.
    public static func isName(_ text: String) -> Bool {
        // ASCII only, so bytes: [A-Za-z_][A-Za-z0-9_]*, over the contiguous UTF-8 when there is
        // one (a manifest's validation asks for every name it holds).
        text.utf8.withContiguousStorageIfAvailable(isName) ?? Array(text.utf8).withUnsafeBufferPointer(isName)
    }

    static func isName(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first, first == 0x5F || (0x41...0x5A).contains(first) || (0x61...0x7A).contains(first) else { return false }
        for byte in bytes where !(byte == 0x5F || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)) {
            return false
        }
        return true
    }

    /// Variables bash sets, computes or protects itself (`env -i bash -c set` and the dynamic
    /// ones): reading them gives the shell's value, not the environment's, and assigning them
    /// fails or changes how bash behaves. A manifest neither reads nor sets them.
    public static let shellOwned: Set<String> = [
        "_", "BASH", "BASHOPTS", "BASHPID", "BASH_ALIASES", "BASH_ARGC", "BASH_ARGV", "BASH_ARGV0", "BASH_CMDS",
        "BASH_COMMAND", "BASH_COMPAT", "BASH_ENV", "BASH_EXECUTION_STRING", "BASH_LINENO", "BASH_LOADABLES_PATH",
        "BASH_REMATCH", "BASH_SOURCE", "BASH_SUBSHELL", "BASH_VERSINFO", "BASH_VERSION", "BASH_XTRACEFD",
        "COMP_CWORD", "COMP_KEY", "COMP_LINE", "COMP_POINT", "COMP_TYPE", "COMP_WORDBREAKS", "COMP_WORDS", "COPROC",
        "DIRSTACK", "ENV", "EPOCHREALTIME", "EPOCHSECONDS", "EUID", "FUNCNAME", "FUNCNEST", "GLOBIGNORE", "GROUPS",
        "HISTCMD", "HOSTNAME", "HOSTTYPE", "IFS", "LINENO", "MACHTYPE", "OLDPWD", "OPTARG", "OPTERR", "OPTIND",
        "OSTYPE", "PIPESTATUS", "POSIXLY_CORRECT", "PPID", "PS1", "PS2", "PS3", "PS4", "PWD", "RANDOM", "SECONDS",
        "SHELLOPTS", "SHLVL", "SRANDOM", "UID"
    ]

    public static func isShellOwned(_ name: String) -> Bool {
        // Most names are not: their first byte and length rule them out before any hashing.
        guard let first = name.utf8.first, shellOwnedFilter[Int(first)] & (1 << min(name.utf8.count, 63)) != 0 else { return false }
        return shellOwned.contains(name)
    }

    /// Per first byte, a bit for each length (63 = longer) of a shell-owned name.
    static let shellOwnedFilter: [UInt64] = {
        var table = [UInt64](repeating: 0, count: 256)
        for name in shellOwned { table[Int(name.utf8.first!)] |= 1 << min(name.utf8.count, 63) }
        return table
    }()

    /// What bash gives a variable that is not in its environment (it sets them as unexported
    /// shell variables at start): Debian 12's bash. `SHELL` (from the password database) is
    /// not modelled: a manifest reading `$SHELL` needs it in the environment.
    public static let bashDefaults: [String: String] = [
        "PATH": "/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin:.",
        "TERM": "dumb"
    ]

    /// `shlex.quote`, as aliBuild quotes package names and versions in init.sh.
    public static func shlexQuote(_ text: String) -> String {
        if text.isEmpty { return "''" }
        let safe = text.unicodeScalars.allSatisfy { scalar in
            EnvironmentTemplate.isNameCharacter(scalar) || "@%+=:,./-".unicodeScalars.contains(scalar)
        }
        if safe { return text }
        var quoted = "'"
        for scalar in text.unicodeScalars {
            if scalar == "'" { quoted += "'\"'\"'" } else { quoted.unicodeScalars.append(scalar) }
        }
        return quoted + "'"
    }
}
