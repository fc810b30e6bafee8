import Foundation
import Testing
import TestSupport
import Transport
import Trust

@Suite struct MirroredFetcherTests {
    static let base = "https://repo.example/alice"
    static let mirror = "https://mirror.example/alice-copy"

    /// The same file at the repository and its mirror.
    static func store() -> RemoteStore {
        let store = RemoteStore()
        store["\(base)/metadata/timestamp.json"] = Array("ts".utf8)
        store["\(mirror)/metadata/timestamp.json"] = Array("ts".utf8)
        return store
    }

    @Test func candidatesKeepThePathUnderEachMirror() {
        let fetcher = MirroredFetcher(InMemoryFetcher(store: RemoteStore()), base: Self.base + "/", mirrors: [Self.mirror + "//", Self.base])
        #expect(fetcher.mirrors == [Self.mirror], "trailing slashes trimmed, the repository itself not repeated")
        #expect(fetcher.candidates(for: "\(Self.base)/targets/a/b.tar.gz") == ["\(Self.base)/targets/a/b.tar.gz", "\(Self.mirror)/targets/a/b.tar.gz"])
        #expect(fetcher.candidates(for: "https://elsewhere/x") == ["https://elsewhere/x"])
        #expect(fetcher.candidates(for: "\(Self.base)x/y") == ["\(Self.base)x/y"], "only URLs under the base")
    }

    @Test func aDeadRepositoryFallsOverAndIsTriedLastAfterwards() async throws {
        let store = Self.store()
        store.breakServer(Self.base)
        let fetcher = MirroredFetcher(InMemoryFetcher(store: store), base: Self.base, mirrors: [Self.mirror])
        #expect(try await fetcher.fetch("\(Self.base)/metadata/timestamp.json", maxLength: 100) == Array("ts".utf8))
        #expect(store.requests == ["\(Self.base)/metadata/timestamp.json", "\(Self.mirror)/metadata/timestamp.json"])
        store.clearRequests()
        _ = try await fetcher.fetch("\(Self.base)/metadata/timestamp.json", maxLength: 100)
        #expect(store.requests == ["\(Self.mirror)/metadata/timestamp.json"], "the dead repository is not asked first again")
    }

    @Test func downloadsStartANewFileAtTheMirror() async throws {
        let store = Self.store()
        store.breakServer(Self.base)
        let directory = try TemporaryDirectory("mirrored")
        defer { directory.remove() }
        let fetcher = MirroredFetcher(InMemoryFetcher(store: store), base: Self.base, mirrors: [Self.mirror])
        let file = directory.path + "/ts"
        #expect(try await fetcher.download("\(Self.base)/metadata/timestamp.json", to: file, maxLength: 100) == 2)
        #expect(FileManager.default.contents(atPath: file) == Data("ts".utf8), "no bytes of the broken attempt are kept")
    }

    @Test func missingEverywhereIsNotFoundAndAnAnswerIsNotAFailure() async throws {
        let store = Self.store()
        let fetcher = MirroredFetcher(InMemoryFetcher(store: store), base: Self.base, mirrors: [Self.mirror])
        await #expect(throws: FetchError.notFound(url: "\(Self.base)/metadata/2.root.json")) {
            try await fetcher.fetch("\(Self.base)/metadata/2.root.json", maxLength: 100)
        }
        store.clearRequests()
        _ = try await fetcher.fetch("\(Self.base)/metadata/timestamp.json", maxLength: 100)
        #expect(store.requests == ["\(Self.base)/metadata/timestamp.json"], "a 404 does not demote the repository")
        // A dead repository and a mirror without the file: the mirror's answer counts.
        store.breakServer(Self.base)
        await #expect(throws: FetchError.notFound(url: "\(Self.base)/metadata/3.root.json")) {
            try await fetcher.fetch("\(Self.base)/metadata/3.root.json", maxLength: 100)
        }
    }

    @Test func everyPlaceFailingNamesEachFailure() async throws {
        let store = Self.store()
        store.breakServer(Self.base)
        store.breakServer(Self.mirror)
        let fetcher = MirroredFetcher(InMemoryFetcher(store: store), base: Self.base, mirrors: [Self.mirror])
        do {
            _ = try await fetcher.fetch("\(Self.base)/metadata/timestamp.json", maxLength: 100)
            Issue.record("expected a failure")
        } catch let error as FetchError {
            #expect(error.description.contains("every mirror failed"))
            #expect(error.description.contains(Self.mirror))
        }
    }

    @Test func aByteCapStopsAtOnce() async throws {
        let store = Self.store()
        store["\(Self.base)/metadata/big.json"] = Array(repeating: 1, count: 500)
        store["\(Self.mirror)/metadata/big.json"] = Array(repeating: 1, count: 5)
        let fetcher = MirroredFetcher(InMemoryFetcher(store: store), base: Self.base, mirrors: [Self.mirror])
        await #expect(throws: FetchError.tooLarge(url: "\(Self.base)/metadata/big.json", limit: 100)) {
            try await fetcher.fetch("\(Self.base)/metadata/big.json", maxLength: 100)
        }
        #expect(store.requestCount("\(Self.mirror)/metadata/big.json") == 0)
    }
}
