import AlienModel
import Foundation
import Tarballs
import Testing

/// Interop: archives made by GNU tar and bsdtar, and our own, extract to the tree they came from.
@Suite struct TarballExtractorTests {
    enum Maker: String, CaseIterable, Sendable {
        case gnuGzip = "GNU tar -czf"
        case gnuZstd = "GNU tar --zstd -cf"
        case gnuPaxGzip = "GNU tar --format=pax -czf"
        case gnuDotGzip = "GNU tar -czf -C pkg ."
        case bsdGzip = "bsdtar -czf"
        case bsdZstd = "bsdtar --zstd -cf"
        case bsdPlain = "bsdtar -cf (no compression)"
        case ours = "TarballWriter .gzip"
        case oursZstd = "TarballWriter .zstd"

        /// Makes the archive of `<base>/pkg` at `archive`; returns where `pkg` lands when extracted.
        func make(base: String, archive: String) throws -> String {
            let normalized = TarballWriterTests.gnuNormalization
            switch self {
            case .gnuGzip:
                try Shell.check(["/usr/bin/tar"] + normalized + ["-czf", archive, "-C", base, "pkg"], environment: ["GZIP": "-n"])
            case .gnuZstd:
                try Shell.check(["/usr/bin/tar"] + normalized + ["--zstd", "-cf", archive, "-C", base, "pkg"])
            case .gnuPaxGzip:
                try Shell.check(["/usr/bin/tar", "--format=pax", "-czf", archive, "-C", base, "pkg"])
            case .gnuDotGzip:
                try Shell.check(["/usr/bin/tar", "-czf", archive, "-C", base + "/pkg", "."])
                return ""
            case .bsdGzip:
                try Shell.check(["/usr/bin/bsdtar", "-czf", archive, "-C", base, "pkg"])
            case .bsdZstd:
                try Shell.check(["/usr/bin/bsdtar", "--zstd", "-cf", archive, "-C", base, "pkg"])
            case .bsdPlain:
                try Shell.check(["/usr/bin/bsdtar", "-cf", archive, "-C", base, "pkg"])
            case .ours:
                _ = try TarballWriter(compression: .gzip).pack(directory: base, members: ["pkg"], to: archive)
            case .oursZstd:
                _ = try TarballWriter(compression: .zstd).pack(directory: base, members: ["pkg"], to: archive)
            }
            return "pkg"
        }
    }

    @Test(arguments: Maker.allCases)
    func extractsToTheSameTree(_ maker: Maker) throws {
        let work = try TemporaryDirectory()
        try SampleTree.make(in: work.sub("src"))
        let landing = try maker.make(base: work.sub("src"), archive: work.sub("archive"))
        let summary = try TarballExtractor().extract(archive: work.sub("archive"), into: work.sub("out"))
        let got = try TreeSnapshot(of: work.sub("out") + (landing.isEmpty ? "" : "/" + landing))
        let expected = try TreeSnapshot(of: work.sub("src/pkg"))
        #expect(got == expected, "\(got)\n---\n\(expected)")
        #expect(got.hardLinkGroups == [["hard-a", "hard-b"]])
        #expect(summary.symlinks == 4)
        #expect(summary.hardLinks == 1)
        #expect(summary.regularFiles == 12)
        #expect(summary.bytes == 300_000 + 20 + 19 + 10 + 11 + 5 + 8 + 4 + 4 + 6 + 0 + 7)
        if landing.isEmpty {
            #expect(summary.topLevel.contains("bin") && summary.topLevel.contains("café.txt"))
        } else {
            #expect(summary.topLevel == ["pkg"])
        }
    }

    @Test(arguments: Maker.allCases)
    func digestsWhileExtractingEqualTheFilesOnDisk(_ maker: Maker) throws {
        let work = try TemporaryDirectory()
        try SampleTree.make(in: work.sub("src"))
        _ = try maker.make(base: work.sub("src"), archive: work.sub("archive"))
        let plain = try TarballExtractor().extract(archive: work.sub("archive"), into: work.sub("plain"))
        #expect(plain.digests.isEmpty, "only when asked")
        let summary = try TarballExtractor(digests: true).extract(archive: work.sub("archive"), into: work.sub("out"))
        #expect(summary.digests.count == summary.regularFiles + summary.hardLinks)
        for (path, file) in summary.digests {
            let onDisk = try #require(FileDigest.sha256(path: work.sub("out") + "/" + path), "\(path)")
            #expect(file.size == onDisk.size && file.sha256 == onDisk.hash.hex, "\(path)")
        }
        let hardLinked = summary.digests.filter { $0.key.hasSuffix("hard-a") || $0.key.hasSuffix("hard-b") }.map(\.value)
        #expect(hardLinked.count == 2 && hardLinked[0] == hardLinked[1])
        var withoutDigests = summary
        withoutDigests.digests = [:]
        #expect(withoutDigests == plain, "the rest of the summary is the same")
    }

    /// The archive's modes, not filtered by the umask, except that group and other never get
    /// write permission: nobody but the extracting user may change what was verified.
    @Test func modesAreKeptWithoutGroupOrOtherWrite() throws {
        let work = try TemporaryDirectory()
        try SampleTree.make(in: work.sub("src"))
        chmod(work.sub("src/pkg/a.txt"), 0o666)
        chmod(work.sub("src/pkg/a"), 0o777)
        _ = try TarballWriter(compression: .gzip).pack(directory: work.sub("src"), members: ["pkg"], to: work.sub("x.tar.gz"))
        let previous = umask(0o077)
        defer { umask(previous) }
        _ = try TarballExtractor().extract(archive: work.sub("x.tar.gz"), into: work.sub("out"))
        let snapshot = try TreeSnapshot(of: work.sub("out/pkg"))
        #expect(snapshot.entries["a.txt"]?.hasPrefix("file 644 ") == true)
        #expect(snapshot.entries["private"]?.hasPrefix("file 600 ") == true)
        #expect(snapshot.entries["a"] == "dir 755")
        #expect(snapshot.entries["share/readonly"] == "dir 555")
    }

    @Test func modificationTimesAreRestored() throws {
        let work = try TemporaryDirectory()
        try SampleTree.make(in: work.sub("src"))
        _ = try TarballWriter(compression: .zstd, modificationTime: 1_234_567_890)
            .pack(directory: work.sub("src"), members: ["pkg"], to: work.sub("x.tar.zst"))
        _ = try TarballExtractor().extract(archive: work.sub("x.tar.zst"), into: work.sub("out"))
        for path in ["pkg", "pkg/lib", "pkg/bin/tool", "pkg/share/readonly"] {
            let date = try FileManager.default.attributesOfItem(atPath: work.sub("out/" + path))[.modificationDate] as? Date
            #expect(date?.timeIntervalSince1970 == 1_234_567_890, "\(path)")
        }
    }

    @Test func createsAMissingTargetDirectory() throws {
        let work = try TemporaryDirectory()
        try SampleTree.make(in: work.sub("src"))
        _ = try TarballWriter(compression: .gzip).pack(directory: work.sub("src"), members: ["pkg"], to: work.sub("x.tar.gz"))
        #expect(!FileManager.default.fileExists(atPath: work.sub("new")))
        let summary = try TarballExtractor().extract(archive: work.sub("x.tar.gz"), into: work.sub("new"))
        #expect(summary.topLevel == ["pkg"])
        #expect(listing(work.sub("new")) == ["pkg"])
    }

    @Test func aTargetThatIsAFileIsRefused() throws {
        let work = try TemporaryDirectory()
        try writeFile(work.sub("file"), Data())
        try RawArchive.write([.file("x")], to: work.sub("x.tar"))
        #expect {
            try TarballExtractor().extract(archive: work.sub("x.tar"), into: work.sub("file"))
        } throws: { error in
            guard let error = error as? TarballError, case .badDestination(work.sub("file"), _) = error else { return false }
            return error.description.contains("not a directory")
        }
    }
}
