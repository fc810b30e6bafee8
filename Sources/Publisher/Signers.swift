public import Trust

/// The private keys at hand, matched to roles by key id: a release manager passes
/// `--key targets.key --key snapshot.key --key timestamp.key` (or a keys directory) and each
/// role is signed by the keys the root assigns to it.
public struct Signers: Sendable {
    public let keys: [SigningKey]

    public init(_ keys: [SigningKey]) {
        self.keys = keys
    }

    /// The keys given that `root` authorizes for `role`; throws unless they reach its threshold.
    public func keys(for role: String, in root: Root) throws(PublisherError) -> [SigningKey] {
        let authorized = root.roles[role]?.keyIDs ?? []
        let threshold = root.roles[role]?.threshold ?? 1
        let usable = keys.filter { authorized.contains($0.keyID) }
        guard usable.count >= threshold else {
            throw .missingSigningKeys(role: role, threshold: threshold, given: usable.count, authorizedKeyIDs: authorized)
        }
        return usable
    }

    /// `metadata` signed by the keys for `role` (earlier signatures dropped).
    public func sign<Role: SignedRole>(_ signed: Role, as role: String, in root: Root) throws(PublisherError) -> Metadata<Role> {
        var metadata = Metadata(signed: signed)
        for key in try keys(for: role, in: root) {
            do { try metadata.sign(with: key) } catch { throw .invalidMetadata(file: "\(role) metadata", expected: nil, error) }
        }
        return metadata
    }
}
