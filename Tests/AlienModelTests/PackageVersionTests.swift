import AlienModel
import Foundation
import Testing

@Suite struct PackageVersionTests {
    static func build(_ version: String, _ revision: String = "1") -> PackageVersion { PackageVersion(version: version, revision: revision) }

    @Test func naturalOrder() {
        #expect(Self.build("v5-9") < Self.build("v5-10"))
        #expect(Self.build("v1.9") < Self.build("v1.10"))
        #expect(Self.build("v5-09-45") < Self.build("v5-09-45a"))
        #expect(Self.build("v1", "9") < Self.build("v1", "10"))
        #expect(Self.build("x99999999999999999999") < Self.build("x100000000000000000000"))
        #expect(!(Self.build("v1") < Self.build("v1")))
        #expect(Self.build("v6-32-06", "1").description == "v6-32-06-1")
    }

    /// Equal by value, different spellings: the version's value, then the revision's value,
    /// then the version's scalars, then the revision's.
    @Test func tiesAreBrokenOneWay() {
        #expect(Self.build("v6-32-06") < Self.build("v6-32-6"))
        #expect(Self.build("v6-32-06", "2") > Self.build("v6-32-6", "1"))
        #expect(Self.build("v6-32-6", "01") < Self.build("v6-32-6", "1"))
        #expect(Self.build("v6-32-006", "1") < Self.build("v6-32-06", "1"))
        #expect(PackageVersion.compare(Self.build("09"), Self.build("9")) == .orderedAscending)
        #expect(PackageVersion.compare(Self.build("9"), Self.build("09")) == .orderedDescending)
    }

    /// A strict total order consistent with `==`, on random texts full of ties.
    @Test func orderIsTotal() {
        var state: UInt64 = 16
        func next() -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(state >> 33) }
        let alphabet = Array("v0019.-a")
        func text() -> String { String((0..<(1 + next() % 6)).map { _ in alphabet[next() % alphabet.count] }) }
        let builds = (0..<300).map { _ in Self.build(text(), text()) }
        for a in builds {
            for b in builds {
                #expect((a < b) != (b < a) || a == b, "\(a) \(b)")
                #expect((PackageVersion.compare(a, b) == .orderedSame) == (a == b), "\(a) \(b)")
            }
        }
        let sorted = builds.sorted()
        for (a, b) in zip(sorted, sorted.dropFirst()) { #expect(a <= b) }
        #expect(builds.shuffled().sorted() == sorted)
    }

    /// By value the order is Foundation's `.numeric` comparison, without Foundation.
    @Test func naturalComparisonIsFoundationsNumericOrder() {
        var state: UInt64 = 2026
        func next() -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(state >> 33) }
        let alphabet = Array("v0123456789.-_abAB")
        for _ in 0..<20_000 {
            let a = String((0..<(next() % 9)).map { _ in alphabet[next() % alphabet.count] })
            let b = String((0..<(next() % 9)).map { _ in alphabet[next() % alphabet.count] })
            #expect(PackageVersion.compareNatural(a, b) == a.compare(b, options: .numeric), "\(a) \(b)")
        }
    }
}
