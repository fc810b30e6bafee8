import SoftwareArea
import Testing

/// Version order used for "newest".
@Suite struct PackageCatalogTests {
    @Test func newestByNumericRuns() {
        func key(_ version: String, _ revision: String = "1") -> PackageKey { PackageKey(name: "x", version: version, revision: revision) }
        #expect(PackageCatalog.newer(key("v1.10"), than: key("v1.9")))
        #expect(PackageCatalog.newer(key("v6-32-06"), than: key("v6-30-10")))
        #expect(PackageCatalog.newer(key("v1", "10"), than: key("v1", "9")))
        #expect(!PackageCatalog.newer(key("v1", "1"), than: key("v1", "1")))
        #expect(PackageCatalog.newer(key("v5-09-45a"), than: key("v5-09-45")))
    }
}
