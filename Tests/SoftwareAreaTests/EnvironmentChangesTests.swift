@testable import AreaEnvironment
import SoftwareArea
import Testing

@Suite struct EnvironmentChangesTests {
    /// Long lists with many repeats (the entry table grows several times) give what a plain
    /// first-occurrence filter gives.
    @Test func longListsKeepTheFirstOccurrenceOfEachEntry() {
        var state: UInt64 = 11
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        for count in [1, 7, 40, 300, 2_000] {
            let entries = (0..<count).map { _ in next() % 3 == 0 ? "" : "/opt/p\(next() % (count / 2 + 1))/bin" }
            var seen: Set<String> = []
            let expected = entries.filter { $0.isEmpty || seen.insert($0).inserted }
            #expect(PathList.merge(old: nil, new: entries.joined(separator: ":")) == expected.joined(separator: ":"), "\(count) entries")
            // Added in front of an old value that holds some of them: each once, taken out of the old part.
            let old = "/usr/bin:/opt/p1/bin:/bin"
            let merged = PathList.merge(old: old, new: entries.joined(separator: ":") + ":" + old)
            var kept: Set<String> = []
            let added = entries.filter { $0.isEmpty || kept.insert($0).inserted }
            let rest = old.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                .filter { !(kept.contains($0) || ($0.isEmpty && added.contains(""))) }
            #expect(merged == (added + rest).joined(separator: ":"), "\(count) entries in front")
        }
    }

    @Test func prependedEntriesComeFirstOnce() {
        #expect(PathList.merge(old: "/usr/bin:/bin", new: "/a/bin:/b/bin:/usr/bin:/bin") == "/a/bin:/b/bin:/usr/bin:/bin")
        // An entry the old value had moves to the front instead of appearing twice.
        #expect(PathList.merge(old: "/a/bin:/usr/bin", new: "/a/bin:/a/bin:/usr/bin") == "/a/bin:/usr/bin")
        #expect(PathList.merge(old: "/usr/bin:/a/bin", new: "/a/bin:/usr/bin:/a/bin") == "/a/bin:/usr/bin")
        // Duplicates the user had stay theirs.
        #expect(PathList.merge(old: "/x:/x", new: "/a:/x:/x") == "/a:/x:/x")
        #expect(PathList.merge(old: "/usr/bin", new: "/usr/bin:/z:/z") == "/usr/bin:/z")
        #expect(PathList.merge(old: nil, new: "/a/lib:/b/lib:/a/lib") == "/a/lib:/b/lib")
    }

    @Test func diffFindsSetChangedAndRemovedVariables() {
        let before = ["PATH": "/usr/bin", "KEEP": "1", "GONE": "x", "SHLVL": "1", "_": "/bin/env"]
        let after = ["PATH": "/p/bin:/usr/bin", "KEEP": "1", "NEW": "a b", "SHLVL": "2", "_": "/usr/bin/env"]
        let changes = EnvironmentChanges.diff(before: before, after: after)
        #expect(changes.values == ["PATH": "/p/bin:/usr/bin", "NEW": "a b"])
        #expect(changes.removed == ["GONE"])
        #expect(changes.applied(to: before) == ["PATH": "/p/bin:/usr/bin", "KEEP": "1", "NEW": "a b", "SHLVL": "1", "_": "/bin/env"])
        let more = EnvironmentChanges(values: ["GONE": "back"], removed: ["NEW"])
        #expect(changes.followed(by: more) == EnvironmentChanges(values: ["PATH": "/p/bin:/usr/bin", "GONE": "back"], removed: ["NEW"]))
        #expect(!changes.isEmpty && EnvironmentChanges().isEmpty)
    }

    /// Lists split at the byte `:`, as the shell splits them, even before a combining mark.
    @Test func listsSplitAtTheColonByte() {
        #expect(PathList.merge(old: "/b", new: "/a:\u{301}x:/b") == "/a:\u{301}x:/b")
        #expect(PathList.merge(old: "/b", new: "/a:/a:/b") == "/a:/b")
        #expect(PathList.merge(old: nil, new: "\u{301}:\u{301}:") == "\u{301}:")
        #expect(PathList.merge(old: "/x", new: "/x:/y:/y") == "/x:/y")
        #expect(PathList.merge(old: "::", new: "/a:::") == "/a:::")
    }

    /// The byte-level merge equals the plain definition (split, unique, filter) on random lists.
    @Test func mergeIsTheDefinition() {
        func reference(old: String?, new: String) -> String {
            func unique(_ parts: [String]) -> [String] {
                var seen: Set<String> = []
                return parts.filter { $0.isEmpty || seen.insert($0).inserted }
            }
            let newParts = new.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard let old, !old.isEmpty else { return unique(newParts).joined(separator: ":") }
            let oldParts = old.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            if new.hasSuffix(":" + old) {
                let added = unique(Array(newParts.dropLast(oldParts.count)))
                let addedSet = Set(added)
                return (added + oldParts.filter { !addedSet.contains($0) }).joined(separator: ":")
            }
            if new.hasPrefix(old + ":") {
                let oldSet = Set(oldParts)
                let added = unique(Array(newParts.dropFirst(oldParts.count))).filter { !oldSet.contains($0) }
                return (oldParts + added).joined(separator: ":")
            }
            return unique(newParts).joined(separator: ":")
        }
        var state: UInt64 = 7
        func next(_ bound: Int) -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(state >> 33) % bound }
        let entries = ["", "/a", "/b", "/c/bin", "/a"]
        func list() -> String { (0..<(1 + next(4))).map { _ in entries[next(entries.count)] }.joined(separator: ":") }
        for _ in 0..<20_000 {
            let old = next(5) == 0 ? nil : list()
            let new: String
            switch next(3) {
            case 0: new = list() + ":" + (old ?? "")
            case 1: new = (old ?? "") + ":" + list()
            default: new = list()
            }
            #expect(PathList.merge(old: old, new: new) == reference(old: old, new: new), "old \(old ?? "nil") new \(new)")
        }
    }

    /// The filter that spares the diff a lookup per new variable never hides a name it holds,
    /// and holds anything once a name is not ASCII (which can equal an ASCII one canonically).
    @Test func nameFilterNeverHidesANameItHolds() {
        let long = String(repeating: "L", count: 80)
        let names = ["PATH", "HOME", "A", long, ""]
        let filter = EnvironmentChanges.NameFilter(names)
        for name in names { #expect(filter.mayHold(name), "\(name)") }
        #expect(!filter.mayHold("PKG000_ROOT") && !filter.mayHold("HOMEX") && !filter.mayHold("B"))
        #expect(filter.mayHold(String(repeating: "L", count: 70)), "lengths from 63 on share one bit")
        #expect(EnvironmentChanges.NameFilter(["K\u{301}"]).mayHold("X"))
        // The diff is the one of plain lookups, with the Kelvin sign canonically equal to K.
        let before = ["PATH": "/usr/bin", "HOME": "/h", "\u{212A}ELVIN": "k", "GONE": "1"]
        let after = ["PATH": "/x:/usr/bin", "HOME": "/h", "KELVIN": "k", "NEW": "1"]
        #expect(
            EnvironmentChanges.diff(before: before, after: after)
                == EnvironmentChanges(values: ["PATH": "/x:/usr/bin", "NEW": "1"], removed: ["GONE"]))
        let ascii = ["PATH": "/usr/bin", "HOME": "/h", "KELVIN": "k"]
        #expect(
            EnvironmentChanges.diff(before: ascii, after: ["PATH": "/usr/bin", "HOME": "/i", "KELVIN": "k", "NEW": ""])
                == EnvironmentChanges(values: ["HOME": "/i", "NEW": ""], removed: []))
    }
}
