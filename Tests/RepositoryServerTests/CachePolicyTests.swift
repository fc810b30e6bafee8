import Testing
@testable import RepositoryServer

@Suite struct CachePolicyTests {
    @Test func onlyTimestampAndTheNewestRootCopyAreShortLived() {
        #expect(CachePolicy.cacheControl(forFileNamed: "timestamp.json") == "public, max-age=61")
        #expect(CachePolicy.cacheControl(forFileNamed: "root.json") == "public, max-age=61")
        for name in [
            "1.root.json", "3.snapshot.json", "7.targets.json", "2.bins-0a.json", "abc.ROOT-v6.slc9_x86-64.tar.gz",
            "abc.ROOT.torrent", "old.timestamp.json"
        ] {
            #expect(CachePolicy.cacheControl(forFileNamed: name) == "public, max-age=31536000, immutable", "\(name)")
        }
    }

    @Test func contentTypes() {
        #expect(CachePolicy.contentType(forFileNamed: "1.root.json") == "application/json")
        #expect(CachePolicy.contentType(forFileNamed: "x.tar.gz") == "application/octet-stream")
        #expect(CachePolicy.contentType(forFileNamed: "x.torrent") == "application/octet-stream")
    }
}
