public import Foundation
public import Trust

/// A client side for updater tests: a metadata directory initialized with a fixture's root
/// v1, an empty target directory, and updaters over the fixture's fake remote.
public struct TUFClientHarness: Sendable {
    public let metadataDirectory: String
    public let targetDirectory: String
    public let store: RemoteStore
    private let temporary: TemporaryDirectory

    public init(_ fixture: TUFRepositoryFixture, rootBytes: [UInt8]? = nil) throws {
        temporary = try TemporaryDirectory("alien-tests-tuf-client")
        metadataDirectory = temporary.path + "/metadata"
        targetDirectory = temporary.path + "/targets"
        store = fixture.store
        try FileManager.default.createDirectory(atPath: targetDirectory, withIntermediateDirectories: true)
        try Updater.initialize(rootBytes: rootBytes ?? fixture.initialRootBytes, metadataDirectory: metadataDirectory)
    }

    /// A new updater (a new update start) over the fixture's remote.
    public func updater(configuration: UpdaterConfiguration = .init(), referenceTime: Date = Date()) -> Updater {
        Updater(
            metadataDirectory: metadataDirectory, metadataBaseURL: TUFRepositoryFixture.metadataBaseURL,
            targetBaseURL: TUFRepositoryFixture.targetBaseURL, fetcher: InMemoryFetcher(store: store),
            configuration: configuration, referenceTime: referenceTime)
    }

    /// The metadata and target directories' contents.
    public var state: (metadata: DirectoryState, targets: DirectoryState) {
        (DirectoryState(capturing: metadataDirectory), DirectoryState(capturing: targetDirectory))
    }

    /// The trusted file `name` in the metadata directory.
    public func trusted(_ name: String) -> [UInt8]? {
        FileManager.default.contents(atPath: "\(metadataDirectory)/\(name)").map { Array($0) }
    }

    public func remove() {
        temporary.remove()
    }
}
