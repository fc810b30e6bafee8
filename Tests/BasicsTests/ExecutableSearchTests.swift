#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import Basics

@Suite struct ExecutableSearchTests {
    @Test func findsTheFirstExecutableInPathOrder() throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        for sub in ["a", "b", "c"] { #expect(mkdir("\(folder.path)/\(sub)", 0o755) == 0) }
        try AtomicFile.write(Array("#!/bin/sh\n".utf8), to: "\(folder.path)/a/tool", mode: 0o644)
        try AtomicFile.write(Array("#!/bin/sh\n".utf8), to: "\(folder.path)/b/tool", mode: 0o755)
        try AtomicFile.write(Array("#!/bin/sh\n".utf8), to: "\(folder.path)/c/tool", mode: 0o755)
        #expect(mkdir("\(folder.path)/a/dir", 0o755) == 0)
        let path = ["a", "b", "c"].map { "\(folder.path)/\($0)" }.joined(separator: ":")
        #expect(ExecutableSearch.find("tool", path: path) == "\(folder.path)/b/tool")
        #expect(ExecutableSearch.find("dir", path: path) == nil)
        #expect(ExecutableSearch.find("missing", path: path) == nil)
    }

    @Test func namesWithASlashAreTakenAsTheyAre() {
        #expect(ExecutableSearch.find("./not-there", path: "/usr/bin") == "./not-there")
        #expect(ExecutableSearch.find("/bin/sh", path: "") == "/bin/sh")
        #expect(ExecutableSearch.find("", path: "/usr/bin") == nil)
    }

    @Test func defaultPathAndEmptyEntries() {
        let found = ExecutableSearch.find("sh", path: nil)
        #expect(found == "/usr/bin/sh" || found == "/bin/sh")
        // An empty entry is the current folder, as execvp has it; candidates are tried in order.
        var tried: [String] = []
        let chosen = ExecutableSearch.find("tool", path: "/a::/b") { candidate in
            tried.append(candidate)
            return candidate == "./tool"
        }
        #expect(chosen == "./tool")
        #expect(tried == ["/a/tool", "./tool"])
        #expect(ExecutableSearch.find("tool", path: "") { $0 == "./tool" } == "./tool")
    }
}
