import Basics
import Foundation

/// What packmand's package test says of one program in a package's `bin/`, without running it:
/// a package is data, and packmand runs none of its code. A program is fit when it is a regular
/// file inside the package, executable, and either an ELF executable for the area's machine or
/// a script whose interpreter exists on this host.
struct ProgramCheck: Sendable, Hashable {
    /// ELF `e_machine` values of the CPUs in the area's architecture names.
    static let machines: [(suffix: String, machine: UInt16, name: String)] = [
        ("x86-64", 62, "x86-64"), ("x86_64", 62, "x86-64"), ("aarch64", 183, "aarch64"), ("arm64", 183, "aarch64"), ("ppc64le", 21, "ppc64le")
    ]

    /// The line for `checks` ("bin/x: ELF x86-64 executable"), or why the program is unfit.
    static func inspect(_ name: String, in package: String, arch: String, searchPath: String) -> Result<String, ProgramCheckFailure> {
        let root = URL(fileURLWithPath: package).resolvingSymlinksInPath().path
        let resolved = URL(fileURLWithPath: "\(root)/bin/\(name)").resolvingSymlinksInPath().path
        guard resolved.hasPrefix(root + "/") else { return .failure(.init(name, "points outside the package (\(resolved))")) }
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: resolved) } catch {
            return .failure(.init(name, "cannot be read: \(error.localizedDescription)"))
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else { return .failure(.init(name, "is not a regular file")) }
        guard let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o111 != 0 else {
            return .failure(.init(name, "is not executable"))
        }
        guard let handle = FileHandle(forReadingAtPath: resolved) else { return .failure(.init(name, "cannot be opened")) }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 256)) ?? Data())
        return describe(head, name: name, arch: arch, searchPath: searchPath)
    }

    /// Judges the first bytes of a program (pure: the interpreter lookup goes through `searchPath`).
    static func describe(_ head: [UInt8], name: String, arch: String, searchPath: String) -> Result<String, ProgramCheckFailure> {
        if head.starts(with: [0x7F, 0x45, 0x4C, 0x46]) {
            guard head.count >= 20, head[4] == 1 || head[4] == 2, head[5] == 1 || head[5] == 2 else {
                return .failure(.init(name, "is a damaged ELF file"))
            }
            let machine = head[5] == 1 ? UInt16(head[18]) | UInt16(head[19]) << 8 : UInt16(head[18]) << 8 | UInt16(head[19])
            let type = head[5] == 1 ? UInt16(head[16]) | UInt16(head[17]) << 8 : UInt16(head[16]) << 8 | UInt16(head[17])
            guard type == 2 || type == 3 else { return .failure(.init(name, "is an ELF file but not an executable (type \(type))")) }
            if let expected = machines.first(where: { arch.hasSuffix($0.suffix) }) {
                guard machine == expected.machine else {
                    return .failure(.init(name, "is built for ELF machine \(machine), not \(expected.name) (\(arch))"))
                }
                return .success("bin/\(name): ELF \(expected.name) executable")
            }
            return .success("bin/\(name): ELF executable (machine \(machine))")
        }
        if head.starts(with: [0x23, 0x21]) {
            let line = head.dropFirst(2).prefix { $0 != 0x0A }
            let words = String(decoding: line, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let interpreter = words.first else { return .failure(.init(name, "has an empty #! line")) }
            guard interpreter.hasPrefix("/"), FileManager.default.isExecutableFile(atPath: interpreter) else {
                return .failure(.init(name, "names the interpreter \(interpreter), which this host does not have"))
            }
            if interpreter.hasSuffix("/env"), let program = words.dropFirst().first(where: { !$0.hasPrefix("-") }), !program.contains("=") {
                guard ExecutableSearch.find(program, path: searchPath) != nil else {
                    return .failure(.init(name, "runs \(program) through env, which is not in the package's PATH"))
                }
                return .success("bin/\(name): script for \(program)")
            }
            return .success("bin/\(name): script for \(interpreter)")
        }
        return .failure(.init(name, "is neither an ELF executable nor a #! script"))
    }
}

/// Why a program in `bin/` is unfit to run here.
struct ProgramCheckFailure: Error, Sendable, Hashable, CustomStringConvertible {
    var program: String
    var reason: String
    init(_ program: String, _ reason: String) { (self.program, self.reason) = (program, reason) }
    var description: String { "bin/\(program) \(reason)" }
}
