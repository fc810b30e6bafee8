/// aliBuild's generated `etc/profile.d/init.sh` (build.py `generate_initdotsh`, aliBuild 1.17)
/// ⇄ `EnvironmentManifest`. The parser accepts exactly that grammar and refuses every other
/// line with its number; it never interprets shell beyond it:
///
/// ```
/// : "${ALIBUILD_ARCH_PREFIX:=<arch>}"                                        (optional, first)
/// [ -n "${<DEP>_REVISION}" ] || . "$WORK_DIR/$ALIBUILD_ARCH_PREFIX"/<q(dep)>/<q(ver)>-<q(rev)>/etc/profile.d/init.sh   (0..n)
/// export <NAME>_ROOT="$WORK_DIR/$ALIBUILD_ARCH_PREFIX"/<q(name)>/<q(ver)>-<q(rev)>
/// export RECC_PREFIX_MAP="$<NAME>_ROOT=/recc/<NAME>_ROOT:$RECC_PREFIX_MAP"
/// export <NAME>_VERSION=<q(ver)>
/// export <NAME>_REVISION=<q(rev)>
/// export <NAME>_HASH=<q(hash)>
/// export <NAME>_COMMIT=<q(commit)>
/// export K="<template>"                                                     (env, append_path: 0..n)
/// export K="<template>${K+:$K}"                                             (prepend_path: 0..n, last)
/// ```
///
/// `q` is Python's `shlex.quote`; the lines that name packages must be exactly what aliBuild
/// writes for the names they contain (they are regenerated and compared). Templates follow
/// `EnvironmentTemplate`'s grammar.
public enum InitScriptParser {
    public static let maximumSize = 1024 * 1024
    public static let maximumLines = 20_000

    public static func parse(_ bytes: [UInt8], file: String) throws(EnvironmentManifestError) -> EnvironmentManifest {
        guard bytes.count <= maximumSize else { throw .initScript(file: file, line: 1, reason: "larger than \(maximumSize) bytes") }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .initScript(file: file, line: lineOfInvalidUTF8(bytes), reason: "not valid UTF-8")
        }
        return try parse(text, file: file)
    }

    public static func parse(_ text: String, file: String) throws(EnvironmentManifestError) -> EnvironmentManifest {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard lines.count <= maximumLines else { throw .initScript(file: file, line: maximumLines + 1, reason: "more than \(maximumLines) lines") }
        func fail(_ index: Int, _ reason: String) -> EnvironmentManifestError { .initScript(file: file, line: index + 1, reason: reason) }
        var index = 0
        var architecture: String?
        if let first = lines.first, first.hasPrefix(": ") {
            let prefix = ": \"${ALIBUILD_ARCH_PREFIX:=", suffix = "}\""
            guard first.hasPrefix(prefix), first.hasSuffix(suffix), first.count > prefix.count + suffix.count else {
                throw fail(0, "expected : \"${ALIBUILD_ARCH_PREFIX:=<arch>}\"")
            }
            let arch = String(first.dropFirst(prefix.count).dropLast(suffix.count))
            guard arch.unicodeScalars.allSatisfy({ EnvironmentTemplate.isNameCharacter($0) || ".+-".unicodeScalars.contains($0) }) else {
                throw fail(0, "the architecture \(arch) holds characters other than letters, digits, '_', '.', '+', '-'")
            }
            architecture = arch
            index = 1
        }
        var requires: [EnvironmentManifest.Dependency] = []
        while index < lines.count, lines[index].hasPrefix("[ ") {
            requires.append(try dependency(lines[index], fail: { fail(index, $0) }))
            index += 1
        }
        let package = try ownVariables(lines, at: index, fail: fail)
        index += 6
        var env: [EnvironmentManifest.Assignment] = []
        var prepend: [EnvironmentManifest.PathEntry] = []
        while index < lines.count {
            let (name, content) = try export(lines[index], fail: { fail(index, $0) })
            let suffix = "${\(name)+:$\(name)}"
            if content.hasSuffix(suffix) {
                let items: EnvironmentTemplate
                do { items = try EnvironmentTemplate(shellDoubleQuoted: String(content.dropLast(suffix.count))) } catch {
                    throw fail(index, "the value of \(name), \(error)")
                }
                prepend.append(.init(name: name, items: [items]))
            } else {
                guard prepend.isEmpty else {
                    throw fail(index, "an export after the prepend_path lines (expected export \(name)=\"…${\(name)+:$\(name)}\")")
                }
                let value: EnvironmentTemplate
                do { value = try EnvironmentTemplate(shellDoubleQuoted: content) } catch {
                    throw fail(index, "the value of \(name), \(error)")
                }
                env.append(.init(name: name, value: value))
            }
            index += 1
        }
        let manifest = EnvironmentManifest(
            architecture: architecture, package: package, requires: requires, env: env,
            appendPath: [], prependPath: prepend
        ).normalized()
        do { try manifest.validate() } catch {
            throw .initScript(file: file, line: 1, reason: error.description)
        }
        return manifest
    }

    /// `[ -n "${DEP_REVISION}" ] || . "$WORK_DIR/$ALIBUILD_ARCH_PREFIX"/dep/ver-rev/etc/profile.d/init.sh`
    static func dependency(_ line: String, fail: (String) -> EnvironmentManifestError) throws(EnvironmentManifestError) -> EnvironmentManifest.Dependency {
        let marker = "_REVISION}\" ] || . \"$WORK_DIR/$ALIBUILD_ARCH_PREFIX\"/", tail = "/etc/profile.d/init.sh"
        guard line.hasPrefix("[ -n \"${"), let markerRange = line.firstRange(of: marker), line.hasSuffix(tail),
            markerRange.upperBound <= line.index(line.endIndex, offsetBy: -tail.count)
        else {
            throw fail("expected [ -n \"${<DEP>_REVISION}\" ] || . \"$WORK_DIR/$ALIBUILD_ARCH_PREFIX\"/<dep>/<version>-<revision>/etc/profile.d/init.sh")
        }
        let middle = String(line[markerRange.upperBound..<line.index(line.endIndex, offsetBy: -tail.count)])
        guard let parsed = packagePath(middle) else {
            throw fail("the dependency path \(middle) is not <name>/<version>-<revision> as aliBuild quotes it")
        }
        let (name, version, revision) = parsed
        let dependency = EnvironmentManifest.Dependency(name: name, version: version, revision: revision)
        guard line == EnvironmentManifest.dependencyLine(dependency) else {
            throw fail("the line does not read as aliBuild writes it for \(dependency.moduleName) (expected \(EnvironmentManifest.dependencyLine(dependency)))")
        }
        return dependency
    }

    /// The six lines of the package's own variables, checked by regenerating them.
    static func ownVariables(
        _ lines: [String], at start: Int,
        fail: (Int, String) -> EnvironmentManifestError
    ) throws(EnvironmentManifestError) -> EnvironmentManifest.Package {
        guard start < lines.count else { throw fail(start, "expected export <NAME>_ROOT=\"$WORK_DIR/$ALIBUILD_ARCH_PREFIX\"/… (the package's own variables)") }
        let rootMarker = "_ROOT=\"$WORK_DIR/$ALIBUILD_ARCH_PREFIX\"/"
        let first = lines[start]
        guard first.hasPrefix("export "), let range = first.firstRange(of: rootMarker),
            let parsed = packagePath(String(first[range.upperBound...]))
        else {
            throw fail(start, "expected export <NAME>_ROOT=\"$WORK_DIR/$ALIBUILD_ARCH_PREFIX\"/<name>/<version>-<revision> (the package's own variables)")
        }
        let (name, version, revision) = parsed
        guard start + 5 < lines.count else { throw fail(lines.count, "the package's own variables end early (expected 6 lines)") }
        func word(_ offset: Int, _ suffix: String) throws(EnvironmentManifestError) -> String {
            let line = lines[start + offset]
            let prefix = "export \(name.environmentPrefix)_\(suffix)="
            guard line.hasPrefix(prefix), let value = shlexUnquote(String(line.dropFirst(prefix.count))) else {
                throw fail(start + offset, "expected \(prefix)<value> (shell-quoted as aliBuild writes it)")
            }
            return value
        }
        let package = EnvironmentManifest.Package(
            name: name, version: try word(2, "VERSION"), revision: try word(3, "REVISION"),
            hash: try word(4, "HASH"), commit: try word(5, "COMMIT"))
        guard package.version == version, package.revision == revision else {
            throw fail(start, "\(name.environmentPrefix)_ROOT names \(name.rawValue)/\(version)-\(revision) but _VERSION and _REVISION say \(package.folder)")
        }
        let expected = EnvironmentManifest.ownLines(package)
        for offset in 0..<6 where lines[start + offset] != expected[offset] {
            throw fail(start + offset, "expected \(expected[offset])")
        }
        return package
    }

    /// `export NAME="content"` → (NAME, content), the content ending at the first unescaped `"`.
    static func export(_ line: String, fail: (String) -> EnvironmentManifestError) throws(EnvironmentManifestError) -> (String, String) {
        guard line.hasPrefix("export "), let equals = line.firstIndex(of: "=") else {
            throw fail("expected export NAME=\"value\" (an env, append_path or prepend_path line)")
        }
        let name = String(line[line.index(line.startIndex, offsetBy: 7)..<equals])
        guard ShellVariables.isName(name) else { throw fail("\(name) is not a shell variable name") }
        guard !ShellVariables.isShellOwned(name) else { throw fail("\(name) is a variable bash sets itself") }
        let scalars = Array(line[line.index(after: equals)...].unicodeScalars)
        guard scalars.first == "\"" else { throw fail("the value of \(name) is not in double quotes") }
        var index = 1
        while index < scalars.count, scalars[index] != "\"" {
            index += scalars[index] == "\\" ? 2 : 1
        }
        guard index < scalars.count else { throw fail("the value of \(name) has no closing double quote") }
        guard index == scalars.count - 1 else { throw fail("text after the closing double quote of \(name)'s value") }
        return (name, String(String.UnicodeScalarView(scalars[1..<index])))
    }

    /// `q(name)/q(version)-q(revision)` → its parts (the revision after the last `-`), or nil.
    static func packagePath(_ text: String) -> (PackageName, String, String)? {
        guard let decoded = shlexUnquote(text, allowingSeparators: true) else { return nil }
        let pieces = decoded.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard pieces.count == 2, let name = try? PackageName(String(pieces[0])),
            let dash = pieces[1].lastIndex(of: "-")
        else { return nil }
        let version = String(pieces[1][..<dash]), revision = String(pieces[1][pieces[1].index(after: dash)...])
        guard EnvironmentManifest.isPathComponent(version), EnvironmentManifest.isPathComponent(revision),
            text == "\(ShellVariables.shlexQuote(name.rawValue))/\(ShellVariables.shlexQuote(version))-\(ShellVariables.shlexQuote(revision))"
        else { return nil }
        return (name, version, revision)
    }

    /// The text a `shlex.quote` output (or, with `allowingSeparators`, several joined by `/`
    /// and `-`) stands for: unquoted safe characters and `'…'` segments; nil for anything else.
    static func shlexUnquote(_ text: String, allowingSeparators: Bool = false) -> String? {
        var result = String.UnicodeScalarView()
        var scalars = text.unicodeScalars[...]
        while let scalar = scalars.first {
            if scalar == "'" {
                scalars = scalars.dropFirst()
                guard let close = scalars.firstIndex(of: "'") else { return nil }
                result.append(contentsOf: scalars[..<close])
                scalars = scalars[scalars.index(after: close)...]
            } else if scalar == "\"" {
                // `'"'"'`: a quote inside a quoted text.
                guard scalars.starts(with: "\"'\"".unicodeScalars) else { return nil }
                result.append("'")
                scalars = scalars.dropFirst(3)
            } else if EnvironmentTemplate.isNameCharacter(scalar) || "@%+=:,./-".unicodeScalars.contains(scalar) {
                result.append(scalar)
                scalars = scalars.dropFirst()
            } else {
                return nil
            }
        }
        let decoded = String(result)
        if !allowingSeparators, ShellVariables.shlexQuote(decoded) != text { return nil }
        return decoded
    }

    static func lineOfInvalidUTF8(_ bytes: [UInt8]) -> Int {
        var line = 1, start = 0
        for (offset, byte) in bytes.enumerated() where byte == 0x0A {
            if String(validating: bytes[start..<offset], as: UTF8.self) == nil { return line }
            line += 1
            start = offset + 1
        }
        return line
    }
}

extension EnvironmentManifest {
    /// The dependency line aliBuild writes.
    static func dependencyLine(_ dependency: Dependency) -> String {
        "[ -n \"${\(dependency.guardVariable)}\" ] || . \"$WORK_DIR/$ALIBUILD_ARCH_PREFIX\"/"
            + "\(ShellVariables.shlexQuote(dependency.name.rawValue))/\(ShellVariables.shlexQuote(dependency.version))-"
            + "\(ShellVariables.shlexQuote(dependency.revision))/etc/profile.d/init.sh"
    }

    /// The six lines of the package's own variables aliBuild writes.
    static func ownLines(_ package: Package) -> [String] {
        let big = package.name.environmentPrefix, q = ShellVariables.shlexQuote
        return [
            "export \(big)_ROOT=\"$WORK_DIR/$ALIBUILD_ARCH_PREFIX\"/\(q(package.name.rawValue))/\(q(package.version))-\(q(package.revision))",
            "export RECC_PREFIX_MAP=\"$\(big)_ROOT=/recc/\(big)_ROOT:$RECC_PREFIX_MAP\"",
            "export \(big)_VERSION=\(q(package.version))",
            "export \(big)_REVISION=\(q(package.revision))",
            "export \(big)_HASH=\(q(package.hash))",
            "export \(big)_COMMIT=\(q(package.commit))"
        ]
    }

    /// The init.sh aliBuild writes for this manifest (templates in canonical text, no final
    /// newline, as `generate_initdotsh` returns it). A withheld manifest has none.
    public var initScript: String {
        var lines: [String] = []
        if let architecture { lines.append(": \"${ALIBUILD_ARCH_PREFIX:=\(architecture)}\"") }
        lines += requires.map(Self.dependencyLine)
        lines += Self.ownLines(package)
        lines += env.map { "export \($0.name)=\"\($0.value)\"" }
        lines += appendPath.map { "export \($0.name)=\"$\($0.name):\(EnvironmentTemplate.joined($0.items))\"" }
        lines += prependPath.map { "export \($0.name)=\"\(EnvironmentTemplate.joined($0.items))${\($0.name)+:$\($0.name)}\"" }
        return lines.joined(separator: "\n")
    }
}
