import Testing
@testable import RepositoryServer

@Suite struct RequestPathTests {
    @Test func plainPathsSplitIntoComponents() {
        #expect(RequestPath(target: "/metadata/1.root.json") == .file(["metadata", "1.root.json"]))
        #expect(RequestPath(target: "//metadata//timestamp.json?x=1") == .file(["metadata", "timestamp.json"]))
        #expect(RequestPath(target: "/") == .file([]))
        #expect(RequestPath(target: "/targets/a%20b.tar.gz") == .file(["targets", "a b.tar.gz"]))
    }

    @Test(arguments: [
        "/../etc/passwd", "/metadata/../../etc/passwd", "/%2e%2e/etc/passwd", "/%2E%2E/%2e%2e/etc/passwd",
        "/metadata/%2e%2e%2f%2e%2e%2fetc/passwd", "/./metadata/root.json", "/metadata/%00root.json",
        "/metadata/.timestamp.json.tmp", "/.git/config"
    ])
    func traversalAndHiddenNamesAreRefused(_ target: String) {
        #expect(RequestPath(target: target) == .refused, "\(target)")
    }

    @Test(arguments: ["/metadata/%zz", "/metadata/%4", "/metadata/%ff%fe"])
    func malformedEscapesAreBadRequests(_ target: String) {
        #expect(RequestPath(target: target) == .malformed, "\(target)")
    }
}
