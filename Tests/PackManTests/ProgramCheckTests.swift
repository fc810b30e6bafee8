import Foundation
@testable import PackMan
import Testing

@Suite struct ProgramCheckTests {
    /// The first bytes of a 64-bit little-endian ELF file of `type` for `machine`.
    static func elf(type: UInt16 = 2, machine: UInt16) -> [UInt8] {
        var head: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + Array(repeating: 0, count: 8)
        head += [UInt8(type & 0xFF), UInt8(type >> 8), UInt8(machine & 0xFF), UInt8(machine >> 8)]
        return head + Array(repeating: 0, count: 44)
    }

    static func check(_ head: [UInt8], arch: String = "slc9_x86-64", path: String = "/usr/bin:/bin") -> Result<String, ProgramCheckFailure> {
        ProgramCheck.describe(head, name: "x", arch: arch, searchPath: path)
    }

    @Test func elfExecutablesMatchTheAreasMachine() {
        #expect(Self.check(Self.elf(machine: 62)) == .success("bin/x: ELF x86-64 executable"))
        #expect(Self.check(Self.elf(type: 3, machine: 183), arch: "ubuntu2404_aarch64") == .success("bin/x: ELF aarch64 executable"))
        #expect(Self.check(Self.elf(machine: 183)) == .failure(.init("x", "is built for ELF machine 183, not x86-64 (slc9_x86-64)")))
        #expect(Self.check(Self.elf(type: 1, machine: 62)) == .failure(.init("x", "is an ELF file but not an executable (type 1)")))
        #expect(Self.check(Array(Self.elf(machine: 62).prefix(10))) == .failure(.init("x", "is a damaged ELF file")))
        #expect(Self.check(Self.elf(machine: 243), arch: "osx_riscv") == .success("bin/x: ELF executable (machine 243)"))
    }

    @Test func scriptsNeedTheirInterpreterHere() {
        #expect(Self.check(Array("#!/bin/sh\necho hi\n".utf8)) == .success("bin/x: script for /bin/sh"))
        #expect(Self.check(Array("#! /bin/sh -e\n".utf8)) == .success("bin/x: script for /bin/sh"))
        #expect(Self.check(Array("#!/usr/bin/env sh\n".utf8)) == .success("bin/x: script for sh"))
        #expect(
            Self.check(Array("#!/usr/bin/env no-such-program-here\n".utf8))
                == .failure(.init("x", "runs no-such-program-here through env, which is not in the package's PATH")))
        #expect(
            Self.check(Array("#!/opt/nowhere/python\n".utf8))
                == .failure(.init("x", "names the interpreter /opt/nowhere/python, which this host does not have")))
        #expect(Self.check(Array("#!\n".utf8)) == .failure(.init("x", "has an empty #! line")))
        #expect(Self.check(Array("echo hi\n".utf8)) == .failure(.init("x", "is neither an ELF executable nor a #! script")))
    }

    /// On disk: a link out of the package, a folder, a file without execute bits — and nothing runs.
    @Test func filesOnDiskStayInsideThePackageAndAreNeverRun() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("program-check-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let package = "\(root)/pkg", marker = "\(root)/ran"
        try FileManager.default.createDirectory(atPath: "\(package)/bin/folder", withIntermediateDirectories: true)
        try "#!/bin/sh\ntouch \(marker)\n".write(toFile: "\(package)/bin/tool", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(package)/bin/tool")
        try "#!/bin/sh\n".write(toFile: "\(package)/bin/plain", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: "\(package)/bin/plain")
        try FileManager.default.createSymbolicLink(atPath: "\(package)/bin/escape", withDestinationPath: "/bin/sh")
        try FileManager.default.createSymbolicLink(atPath: "\(package)/bin/inside", withDestinationPath: "tool")
        func inspect(_ name: String) -> Result<String, ProgramCheckFailure> {
            ProgramCheck.inspect(name, in: package, arch: "slc9_x86-64", searchPath: "/usr/bin:/bin")
        }
        #expect(inspect("tool") == .success("bin/tool: script for /bin/sh"))
        #expect(inspect("inside") == .success("bin/inside: script for /bin/sh"))
        #expect(inspect("plain") == .failure(.init("plain", "is not executable")))
        #expect(inspect("folder") == .failure(.init("folder", "is not a regular file")))
        guard case .failure(let failure) = inspect("escape") else { Issue.record("a link out of the package was accepted"); return }
        #expect(failure.reason.hasPrefix("points outside the package"))
        #expect(!FileManager.default.fileExists(atPath: marker))
    }
}
