import AlienModel
import CArchive
import Crypto
import Foundation
@testable import Tarballs
import Testing

@Suite struct TarballWriterTests {
    static func sha256(of path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
    }

    /// The GNU tar flags of recipe-format §7's normalization.
    static let gnuNormalization = ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0"]

    // MARK: reproducibility

    @Test(arguments: TarballCompression.allCases)
    func sameTreeTwiceGivesIdenticalBytes(_ compression: TarballCompression) throws {
        let first = try TemporaryDirectory("first")
        let second = try TemporaryDirectory("second-with-another-name")
        try SampleTree.make(in: first.path)
        Thread.sleep(forTimeInterval: 1.1)
        try SampleTree.make(in: second.path)
        // Other mtimes, atimes and (as root) owners on the second copy.
        try Shell.check(["/usr/bin/touch", "-d", "2001-02-03 04:05:06", second.sub("pkg/bin/tool"), second.sub("pkg/lib")])
        if geteuid() == 0 { try Shell.check(["/bin/chown", "-hR", "1234:5678", second.sub("pkg")]) }

        let writer = TarballWriter(compression: compression)
        let one = try writer.pack(directory: first.path, members: ["pkg"], to: first.sub("out.\(compression.fileExtension)"))
        let two = try writer.pack(directory: second.path, members: ["pkg"], to: second.sub("other.\(compression.fileExtension)"))
        #expect(one.sha256 == two.sha256)
        #expect(one.size == two.size)
        #expect(one.entries == two.entries)
        #expect(try Self.sha256(of: one.path) == one.sha256.hex)
        #expect(try Self.sha256(of: two.path) == two.sha256.hex)
        let size = try FileManager.default.attributesOfItem(atPath: one.path)[.size] as? NSNumber
        #expect(size?.uint64Value == one.size)
    }

    /// zstd's multi-threaded mode: the worker count (which follows the machine) never changes the bytes.
    @Test func zstdBytesDoNotDependOnTheThreadCount() throws {
        let tree = try TemporaryDirectory()
        try SampleTree.make(in: tree.path)
        // Over one zstd job (several MB), so that several workers really split the input.
        try writeFile(tree.sub("pkg/lib/big"), Data(SampleTree.random(6_000_000, seed: 2) + [UInt8](repeating: 42, count: 12_000_000)))
        var digests: Set<String> = []
        for threads in [1, 2, 3, 4] {
            var writer = TarballWriter(compression: .zstd)
            writer.zstdThreads = threads
            digests.insert(try writer.pack(directory: tree.path, members: ["pkg"], to: tree.sub("t\(threads).tar.zst")).sha256.hex)
        }
        #expect(digests.count == 1)
    }

    @Test func modificationTimeChangesTheBytesAndIsStored() throws {
        let tree = try TemporaryDirectory()
        try SampleTree.make(in: tree.path)
        let zero = try TarballWriter(compression: .gzip).pack(directory: tree.path, members: ["pkg"], to: tree.sub("zero.tar.gz"))
        let dated = try TarballWriter(compression: .gzip, modificationTime: 1_700_000_000)
            .pack(directory: tree.path, members: ["pkg"], to: tree.sub("dated.tar.gz"))
        #expect(zero.sha256 != dated.sha256)
        let listing = try Shell.check(["/usr/bin/tar", "--utc", "-tvzf", dated.path, "pkg/bin/tool"])
        #expect(listing.contains("2023-11-14 22:13"), "\(listing)")
    }

    // MARK: normalization

    @Test func entryOrderIsGNUTarSortByName() throws {
        let tree = try TemporaryDirectory()
        try SampleTree.make(in: tree.path)
        let ours = try TarballWriter(compression: .gzip).pack(directory: tree.path, members: ["pkg"], to: tree.sub("ours.tar.gz"))
        try Shell.check(["/usr/bin/tar"] + Self.gnuNormalization + ["-cf", tree.sub("gnu.tar"), "-C", tree.path, "pkg"])
        let strip = { (text: String) in text.split(separator: "\n").map { $0.hasSuffix("/") ? String($0.dropLast()) : String($0) } }
        let ourNames = strip(try Shell.check(["/usr/bin/tar", "-tzf", ours.path]))
        let gnuNames = strip(try Shell.check(["/usr/bin/tar", "-tf", tree.sub("gnu.tar")]))
        #expect(ourNames == gnuNames)
        #expect(ourNames.first == "pkg")
        #expect(ourNames.count == ours.entries)
        // a/x comes right after a (per-directory order), before a-b and a.txt.
        let index = { (name: String) in ourNames.firstIndex(of: name) ?? -1 }
        #expect(index("pkg/a") < index("pkg/a/x") && index("pkg/a/x") < index("pkg/a-b") && index("pkg/a-b") < index("pkg/a.txt"))
    }

    @Test func headersAreNormalized() throws {
        let tree = try TemporaryDirectory()
        try SampleTree.make(in: tree.path)
        chmod(tree.sub("pkg/bin/tool"), 0o4755)
        chmod(tree.sub("pkg/share/empty"), 0o3755)
        let ours = try TarballWriter(compression: .zstd, modificationTime: 86400)
            .pack(directory: tree.path, members: ["pkg"], to: tree.sub("ours.tar.zst"))
        let verbose = try Shell.check(["/usr/bin/tar", "--zstd", "--utc", "--numeric-owner", "-tvf", ours.path])
        for line in verbose.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            #expect(fields[1] == "0/0", "\(line)")
            #expect(fields[3] == "1970-01-02", "\(line)")
            #expect(!fields[0].contains("s") && !fields[0].contains("t") && !fields[0].contains("S"), "\(line)")
        }
        #expect(verbose.contains("-rwxr-xr-x 0/0"))
        #expect(verbose.contains("pkg/hard-b link to pkg/hard-a"))
        #expect(verbose.contains("pkg/lib/libz.so -> libz.so.1"))
        #expect(verbose.contains("-r--r--r-- 0/0") && verbose.contains("dr-xr-xr-x 0/0"))
        let empty = verbose.split(separator: "\n").first { $0.hasSuffix(" pkg/share/empty/") }
        #expect(empty?.hasPrefix("drwxr-xr-x 0/0") == true, "setuid/setgid/sticky dropped: \(empty ?? "")")
        // pax restricted: no atime/ctime/uname records, no PaxHeader entries with pids.
        let raw = try Shell.check(["/usr/bin/zstd", "-dc", ours.path])
        #expect(!raw.contains("atime=") && !raw.contains("ctime=") && !raw.contains("uname") && !raw.contains("SCHILY"))
    }

    @Test func gzipHeaderHasNoNameOrTimestamp() throws {
        let tree = try TemporaryDirectory()
        try SampleTree.make(in: tree.path)
        let ours = try TarballWriter(compression: .gzip).pack(directory: tree.path, members: ["pkg"], to: tree.sub("ours.tar.gz"))
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: ours.path)).prefix(10))
        #expect(bytes[0...2] == [0x1F, 0x8B, 8])
        #expect(bytes[3] & 0x08 == 0, "FNAME set")
        #expect(bytes[4...7] == [0, 0, 0, 0], "MTIME set")
        try Shell.check(["/usr/bin/gzip", "-t", ours.path])
    }

    @Test func wholeBaseWhenNoMembersAndSeveralMembersSorted() throws {
        let tree = try TemporaryDirectory()
        try SampleTree.make(in: tree.sub("root"))
        let out = try TemporaryDirectory()
        let all = try TarballWriter(compression: .gzip).pack(directory: tree.sub("root"), to: out.sub("all.tar.gz"))
        let names = try Shell.check(["/usr/bin/tar", "-tzf", all.path]).split(separator: "\n")
        #expect(names.first == "pkg/")
        let some = try TarballWriter(compression: .gzip)
            .pack(directory: tree.sub("root"), members: ["pkg/lib", "pkg/bin/"], to: out.sub("some.tar.gz"))
        let someNames = try Shell.check(["/usr/bin/tar", "-tzf", some.path]).split(separator: "\n")
        #expect(
            someNames == [
                "pkg/bin/", "pkg/bin/tool", "pkg/bin/tool-link", "pkg/lib/",
                "pkg/lib/bin-link", "pkg/lib/libz.so", "pkg/lib/libz.so.1", "pkg/lib/libz.so.1.3.1"
            ])
    }

    // MARK: interop: GNU tar reads ours

    @Test(arguments: TarballCompression.allCases)
    func gnuTarExtractsTheSameTree(_ compression: TarballCompression) throws {
        let tree = try TemporaryDirectory()
        try SampleTree.make(in: tree.path)
        let out = try TemporaryDirectory()
        let ours = try TarballWriter(compression: compression)
            .pack(directory: tree.path, members: ["pkg"], to: out.sub("ours.\(compression.fileExtension)"))
        let target = out.sub("gnu")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        let flag = compression == .gzip ? "-xzf" : "--zstd"
        let arguments = compression == .gzip ? [flag, ours.path] : [flag, "-xf", ours.path]
        let result = try Shell.run(["/usr/bin/tar"] + arguments + ["-C", target])
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        let expected = try TreeSnapshot(of: tree.sub("pkg"))
        let got = try TreeSnapshot(of: target + "/pkg")
        #expect(got == expected, "\(got)\n---\n\(expected)")
        #expect(got.hardLinkGroups == [["hard-a", "hard-b"]])
    }

    // MARK: refusals and atomicity

    @Test func specialFilesAreRefusedAndNoOutputIsLeft() throws {
        let tree = try TemporaryDirectory()
        try SampleTree.make(in: tree.path)
        #expect(mkfifo(tree.sub("pkg/lib/fifo"), 0o644) == 0)
        let out = try TemporaryDirectory()
        #expect {
            try TarballWriter(compression: .gzip).pack(directory: tree.path, members: ["pkg"], to: out.sub("x.tar.gz"))
        } throws: { error in
            guard let error = error as? TarballError, case let .unsupportedFileType(path, type) = error else { return false }
            return path.hasSuffix("pkg/lib/fifo") && type == "FIFO" && error.description.contains("pkg/lib/fifo: is a FIFO")
        }
        #expect(listing(out.path).isEmpty)
    }

    @Test func outputInsideTheTreeIsRefused() throws {
        let tree = try TemporaryDirectory()
        try SampleTree.make(in: tree.path)
        #expect(throws: TarballError.outputInsideTree(output: tree.sub("pkg/lib/x.tar.gz"), tree: tree.sub("pkg"))) {
            try TarballWriter(compression: .gzip).pack(directory: tree.path, members: ["pkg"], to: tree.sub("pkg/lib/x.tar.gz"))
        }
        #expect(throws: TarballError.outputInsideTree(output: tree.sub("x.tar.gz"), tree: tree.path)) {
            try TarballWriter(compression: .gzip).pack(directory: tree.path, to: tree.sub("x.tar.gz"))
        }
    }

    @Test(arguments: [
        ("../etc", "'..' components are not allowed"), ("/etc", "absolute paths are not allowed"),
        ("pkg/missing", "No such file")
    ])
    func invalidMembersAreRefused(_ member: String, _ fragment: String) throws {
        let tree = try TemporaryDirectory()
        try SampleTree.make(in: tree.path)
        let out = try TemporaryDirectory()
        #expect {
            try TarballWriter(compression: .gzip).pack(directory: tree.path, members: [member], to: out.sub("x.tar.gz"))
        } throws: { error in
            guard let error = error as? TarballError, case .invalidMember(member, _) = error else { return false }
            return error.description.contains(fragment)
        }
    }

    @Test func overlappingMembersAreRefused() throws {
        let tree = try TemporaryDirectory()
        try SampleTree.make(in: tree.path)
        #expect(throws: TarballError.invalidMember("pkg/lib", reason: "overlaps member \"pkg\"")) {
            try TarballWriter(compression: .gzip).pack(directory: tree.path, members: ["pkg/lib", "pkg"], to: tree.sub("x.tar.gz"))
        }
    }

    @Test func unwritableOutputDirectoryIsAnError() throws {
        let tree = try TemporaryDirectory()
        try SampleTree.make(in: tree.path)
        #expect {
            try TarballWriter(compression: .zstd).pack(directory: tree.path, members: ["pkg"], to: tree.sub("missing/x.tar.zst"))
        } throws: { error in
            guard let error = error as? TarballError, case .outputFailed = error else { return false }
            return error.description.hasPrefix(tree.sub("missing/x.tar.zst"))
        }
    }

    @Test func existingOutputIsReplacedAtomically() throws {
        let tree = try TemporaryDirectory()
        try SampleTree.make(in: tree.path)
        let out = try TemporaryDirectory()
        try writeFile(out.sub("x.tar.gz"), Data("old".utf8))
        let packed = try TarballWriter(compression: .gzip).pack(directory: tree.path, members: ["pkg"], to: out.sub("x.tar.gz"))
        #expect(listing(out.path) == ["x.tar.gz"])
        #expect(try Self.sha256(of: out.sub("x.tar.gz")) == packed.sha256.hex)
    }

    @Test func compressionFromFileName() {
        #expect(TarballCompression(fileName: "zlib-v1.3.1-1.slc9_x86-64.tar.gz") == .gzip)
        #expect(TarballCompression(fileName: "a.tgz") == .gzip)
        #expect(TarballCompression(fileName: "a.tar.zst") == .zstd)
        #expect(TarballCompression(fileName: "a.tar.xz") == nil)
        #expect(TarballCompression.zstd.fileExtension == "tar.zst")
    }
}
