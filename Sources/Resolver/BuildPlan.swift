public import AlienModel
public import Recipes

/// One package of a plan, with everything resolution decided about it.
public struct ResolvedPackage: Hashable, Sendable {
    /// How the package will be provided.
    public enum Origin: Hashable, Sendable {
        /// Built from its recipe.
        case recipe
        /// A `prefer_system_replacement_specs` entry chosen by the key the check printed.
        case systemReplacement(key: String, built: Bool)
    }

    public let name: PackageName
    /// The resolved version (templates expanded, `/` → `_`).
    public let version: String
    /// The git ref (templates expanded).
    public let tag: String
    /// The branch tip when `tag` is a branch, the tag text when it is a tag, `"0"` without a source.
    public let commitHash: String
    public let source: String?
    /// The build script as hashed: the body without leading and trailing newlines.
    public let recipe: String
    /// The recipe file it came from.
    public let recipeFile: String
    /// The header after overrides and replacements (env, paths, incremental_recipe, ...).
    public let fields: RecipeMap
    public let origin: Origin
    public let runtimeRequires: [PackageName]
    public let buildRequires: [PackageName]
    /// Runtime then build requirements: the order dependency hashes enter this hash.
    public let requires: [PackageName]
    /// The plan's dependency graph, which the closures below are computed from.
    var graph: RequirementGraph?
    /// Transitive closures as aliBuild computes them (`full_requires` and friends), sorted by
    /// name. Each is computed when asked (in time linear in its size), not stored: stored,
    /// they would make a deep stack's plan quadratic in memory.
    public var fullRequires: [PackageName] { graph?.fullRequires(of: name) ?? [] }
    public var fullRuntimeRequires: [PackageName] { graph?.fullRuntimeRequires(of: name) ?? [] }
    public var fullBuildRequires: [PackageName] { graph?.fullBuildRequires(of: name) ?? [] }
    /// True when `force_rebuild` (recipe or `--force-rebuild`) puts a time stamp into the hash.
    public let forceRebuild: Bool
    /// The hash when every package comes from a shared (remote) store: revision `N`.
    public internal(set) var remoteHash: String = ""
    /// The hash when every package is built locally: revision `localN`.
    public internal(set) var localHash: String = ""
    /// The inputs of the hash, labelled, with dependencies' remote hashes.
    public internal(set) var hashInputs: [HashInput] = []

    /// `env`, `append_path`, `prepend_path`, `track_env` as they go into init.sh and the hash.
    public var env: RecipeMap? { fields["env"]?.mapValue }
    public var appendPath: RecipeMap? { fields["append_path"]?.mapValue }
    public var prependPath: RecipeMap? { fields["prepend_path"]?.mapValue }
    public var trackEnv: RecipeMap? { fields["track_env"]?.mapValue }
}

/// One labelled input of a package hash, for `resolve --explain` and `--diff`.
public struct HashInput: Hashable, Sendable, Codable {
    public var label: String
    public var value: String

    public init(label: String, value: String) {
        self.label = label
        self.value = value
    }
}

/// The result of resolution: the closure of the targets with versions, dependencies,
/// hashes and an order to build in.
public struct BuildPlan: Sendable {
    public let targets: [PackageName]
    public let defaults: String
    public let architecture: Architecture
    public let packages: [PackageName: ResolvedPackage]
    /// The order aliBuild discovers packages in (breadth-first from the targets).
    public let discoveryOrder: [PackageName]
    /// Dependencies first; ties broken by name, so the order is the same on every run.
    public let buildOrder: [PackageName]
    /// Every name disabled in the end: `--disable`, the defaults' `disable`, packages
    /// taken from the system and satisfied system requirements.
    public let disabled: [String]
    /// Packages whose prefer-system check said the system copy can be used.
    public let fromSystem: [PackageName]
    /// Packages whose prefer-system check ran and failed: they are built here.
    public let builtHere: [PackageName]
    /// System requirements whose check failed (only kept when resolving for `doctor`).
    public let failedRequirements: [PackageName]
    /// The `valid_defaults` common to the whole closure; nil when they have nothing in common.
    public let validDefaults: [String]?
    /// Things worth telling the user that did not stop resolution.
    public let warnings: [String]
    /// What `force_rebuild` put into hashes (aliBuild's time stamp).
    public let forceRebuildStamp: String

    public subscript(name: PackageName) -> ResolvedPackage? { packages[name] }

    /// The packages in build order.
    public var orderedPackages: [ResolvedPackage] { buildOrder.compactMap { packages[$0] } }
}
