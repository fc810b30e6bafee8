import Foundation
import Transport
import Trust

/// The lowest version each role may take in the next attempt of a change: past the versioned
/// names that turned out to be taken (the leftovers of an interrupted publish, or a writer that
/// does not lock). TUF allows gaps in targets and snapshot versions; root versions follow the
/// chain read from the store.
struct VersionFloors: Sendable {
    private var minimum: [String: Int64] = [:]

    /// The version after `current` for `role`, at least its floor.
    func next(_ role: String, after current: Int64) -> Int64 {
        max(current + 1, minimum[role] ?? 0)
    }

    /// Every versioned file in `writes` up to and including `taken` (the one found there
    /// already) was written or is someone else's; of those after it, the ones `exists` finds
    /// are taken too: the next attempt goes past them all.
    mutating func raise(
        past writes: MetadataWrites, upTo taken: String,
        exists: (String) throws(PublisherError) -> Bool
    ) throws(PublisherError) {
        var reached = false
        for file in writes.files {
            guard let (version, role) = MetadataWrites.versioned(file.name) else { continue }
            if reached, try !exists(file.name) { continue }
            minimum[role] = max(minimum[role] ?? 0, version + 1)
            if file.name == taken { reached = true }
        }
    }
}

extension Repository {
    /// One change of the repository's metadata as a transaction among publishers. Under the
    /// store's writer lock (held from the read to the timestamp: publishers take turns),
    /// `change` gets the current state and returns its result and the metadata to write (nil:
    /// nothing). Versioned files are created, never replaced; when one is taken already, the
    /// change runs again from a fresh read with versions past the taken ones, at most
    /// `maxAttempts` times (then `conflict`).
    func transaction<Outcome>(
        _ change: (RepositoryState, VersionFloors) throws(PublisherError) -> (Outcome, MetadataWrites?)
    ) throws(PublisherError) -> Outcome {
        let lock = try store.lockWriters(waitingUpTo: lockWait)
        defer { lock.release() }
        var floors = VersionFloors()
        var attempt = 1
        while true {
            let state = try load()
            let (outcome, writes) = try change(state, floors)
            guard let writes else { return outcome }
            do throws(PublisherError) {
                try writes.commit(to: store)
                return outcome
            } catch let .conflict(file, _) {
                guard attempt < maxAttempts else {
                    throw .conflict(file: store.describe(RepositoryStore.metadataPath(file)), attempts: attempt)
                }
                try floors.raise(past: writes, upTo: file) { name throws(PublisherError) in
                    try store.exists(RepositoryStore.metadataPath(name))
                }
                attempt += 1
            }
        }
    }
}

/// Metadata files to write, in order, serialized up front.
struct MetadataWrites {
    private(set) var files: [(name: String, bytes: [UInt8])] = []

    @discardableResult
    mutating func add<Role: SignedRole>(_ name: String, _ metadata: Metadata<Role>) -> [UInt8] {
        let bytes = metadata.serialized()
        files.append((name, bytes))
        return bytes
    }

    /// `N.role.json` → (N, role); nil for unversioned names (`timestamp.json`, `root.json`).
    static func versioned(_ name: String) -> (version: Int64, role: String)? {
        guard name.hasSuffix(".json"), let dot = name.firstIndex(of: "."), let version = Int64(name[..<dot]) else { return nil }
        let role = name[name.index(after: dot)...].dropLast(".json".count)
        return role.isEmpty ? nil : (version, String(role))
    }

    /// Writes the files in order. A versioned name is created, never replaced: one that exists
    /// throws `conflict` with its name (the files before it are written; nothing refers to them
    /// until the timestamp, which comes last). `replacingVersioned`: only for `repo init`, whose
    /// interrupted runs leave versioned files no timestamp ever named.
    func commit(to store: RepositoryStore, replacingVersioned: Bool = false) throws(PublisherError) {
        for file in files {
            let path = RepositoryStore.metadataPath(file.name)
            if !replacingVersioned, Self.versioned(file.name) != nil {
                guard try store.createBytes(path, Data(file.bytes)) else { throw .conflict(file: file.name, attempts: 1) }
            } else {
                try store.writeBytes(path, Data(file.bytes))
            }
        }
    }
}
