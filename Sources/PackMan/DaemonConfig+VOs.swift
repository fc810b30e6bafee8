import AlienModel
import Foundation
import Yams

/// One VO of a site (`vos: NAME: {...}`, or the top-level keys for the default VO): its own
/// software area (trust root, install records, locks), repository, mirrors and disk budget.
/// The same name and version in two VOs are two packages, in two areas, under two roots of trust.
public struct VOConfig: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var area: String
    public var arch: String?
    public var repository: String?
    public var mirrors: [String] = []
    public var trustedRoot: String?
    public var diskBudget: UInt64?

    public init(name: String, area: String) {
        self.name = name
        self.area = area
    }

    public var description: String { "\(name)=\(area) \(arch ?? "") \(repository ?? "") \(trustedRoot ?? "") \(diskBudget.map(String.init) ?? "")" }

    static let keys: Set<String> = ["area", "arch", "repository", "mirrors", "trusted_root", "disk_budget"]

    /// At most this many VOs on one site (each opens an area, a database and a job engine).
    static let maxCount = 64

    /// `vos:`: a mapping NAME → {area, arch, repository, mirrors, trusted_root, disk_budget};
    /// names and areas distinct from each other and from the default VO's (`site`).
    static func parseAll(_ node: Node, reader: ConfigReader, site: DaemonConfig) throws(ConfigError) -> [VOConfig] {
        let mapping = try reader.mapping(node, "vos")
        guard mapping.count <= maxCount else { throw reader.error(node, "vos", "at most \(maxCount) VOs, got \(mapping.count)") }
        var result: [VOConfig] = []
        var areas = [Self.normalized(site.area): site.vo]
        for (keyNode, value) in mapping {
            let name = try reader.voName(keyNode, "vos")
            guard name != site.vo, !result.contains(where: { $0.name == name }) else {
                throw reader.error(keyNode, "vos.\(name)", name == site.vo ? "is the default VO (vo:); its keys are the top-level ones" : "given twice")
            }
            let prefix = "vos.\(name)."
            let entries = try reader.entries(try reader.mapping(value, "vos.\(name)"), prefix: prefix, known: keys)
            guard let areaNode = entries["area"] else { throw reader.error(keyNode, prefix + "area", "required (the VO's own software area)") }
            var vo = VOConfig(name: name, area: try reader.path(areaNode, prefix + "area"))
            if let other = areas[Self.normalized(vo.area)] {
                throw reader.error(areaNode, prefix + "area", "'\(vo.area)' is already the area of \(other); each VO needs its own")
            }
            areas[Self.normalized(vo.area)] = name
            if let node = entries["arch"] { vo.arch = try reader.string(node, prefix + "arch") }
            if let node = entries["repository"] { vo.repository = try reader.url(node, prefix + "repository") }
            if let node = entries["mirrors"] {
                vo.mirrors = try reader.list(node, prefix + "mirrors").map { item throws(ConfigError) in try reader.url(item, prefix + "mirrors") }
            }
            if let node = entries["trusted_root"] { vo.trustedRoot = try reader.path(node, prefix + "trusted_root") }
            if let node = entries["disk_budget"] { vo.diskBudget = try reader.size(node, prefix + "disk_budget") }
            result.append(vo)
        }
        return result
    }

    /// A path without trailing slashes and `.` components (two spellings of one area are one).
    static func normalized(_ path: String) -> String {
        "/" + path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }
}

extension DaemonConfig {
    /// Every VO of the site, the default (top-level keys) first.
    public var allVOs: [VOConfig] {
        var first = VOConfig(name: vo, area: area)
        first.arch = arch
        first.repository = repository
        first.mirrors = mirrors
        first.trustedRoot = trustedRoot
        first.diskBudget = diskBudget
        return [first] + vos
    }

    /// The daemon's settings with `vo`'s area, repository, root and budget (what its job engine
    /// uses). The default VO keeps `database`; another VO's database is in its own area.
    public func scoped(to vo: VOConfig) -> DaemonConfig {
        guard vo.name != self.vo else { return self }
        var copy = self
        copy.vo = vo.name
        copy.vos = []
        copy.area = vo.area
        copy.arch = vo.arch ?? arch
        copy.repository = vo.repository
        copy.mirrors = vo.mirrors
        copy.trustedRoot = vo.trustedRoot
        copy.diskBudget = vo.diskBudget
        copy.database = nil
        return copy
    }
}

extension ConfigReader {
    /// A VO name: letters, digits, `_`, `.`, `-` (what a package id's owner prefix may hold).
    func voName(_ node: Node, _ key: String) throws(ConfigError) -> String {
        let text = try string(node, key)
        guard PackageID.isValidOwner(text) else {
            throw error(node, key, "expected a VO name of letters, digits, '_', '.', '-' (such as VO_ALICE), got '\(text)'")
        }
        return text
    }
}
