import Builder
import Tarballs
import Testing
import Transport

/// Packing and remote-store failures keep the Tarballs and Transport errors as their causes.
@Suite struct BuildErrorTests {
    @Test func typedCausesReadWithThePackageInFront() {
        let packing = BuildError.tarball(package: "zlib", .unsupportedFileType(path: "INSTALLROOT/x/fifo", type: "FIFO"))
        guard case let .tarball(_, cause) = packing else { Issue.record("\(packing)"); return }
        #expect(packing.description == "zlib: tarball: \(cause)")
        #expect(packing.description.contains("INSTALLROOT/x/fifo"))
        // The transport's error names the URL; the store says what it was doing.
        let download = BuildError.download(url: "http://s/TARS/a/store/ab/abc/", .status(url: "http://s/TARS/a/store/ab/abc/", code: 500))
        #expect(download.description == "remote store: http://s/TARS/a/store/ab/abc/: HTTP 500")
    }
}
