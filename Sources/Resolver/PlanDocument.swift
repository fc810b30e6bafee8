import AlienModel

/// The JSON form of a `BuildPlan` (`resolve --format json`), readable back for `--diff`.
public struct PlanDocument: Codable, Hashable, Sendable {
    public struct Package: Codable, Hashable, Sendable {
        public var version: String
        public var tag: String
        public var commitHash: String
        public var source: String?
        public var recipeFile: String
        public var remoteHash: String
        public var localHash: String
        public var runtimeRequires: [String]
        public var buildRequires: [String]
        public var fullRequires: [String]
        public var fullRuntimeRequires: [String]
        public var fullBuildRequires: [String]
        /// `recipe` or `system:<key>` for a prefer_system replacement.
        public var origin: String
        public var hashInputs: [HashInput]
    }

    public var targets: [String]
    public var defaults: String
    public var architecture: String
    public var buildOrder: [String]
    public var discoveryOrder: [String]
    public var disabled: [String]
    public var fromSystem: [String]
    public var builtHere: [String]
    public var failedRequirements: [String]
    public var validDefaults: [String]?
    public var warnings: [String]
    public var packages: [String: Package]

    public init(_ plan: BuildPlan) {
        func names(_ list: [PackageName]) -> [String] { list.map(\.rawValue) }
        targets = names(plan.targets)
        defaults = plan.defaults
        architecture = plan.architecture.rawValue
        buildOrder = names(plan.buildOrder)
        discoveryOrder = names(plan.discoveryOrder)
        disabled = plan.disabled
        fromSystem = names(plan.fromSystem)
        builtHere = names(plan.builtHere)
        failedRequirements = names(plan.failedRequirements)
        validDefaults = plan.validDefaults
        warnings = plan.warnings
        var packages: [String: Package] = [:]
        for package in plan.orderedPackages {
            let origin: String =
                switch package.origin {
                case .recipe: "recipe"
                case let .systemReplacement(key, _): "system:\(key)"
                }
            packages[package.name.rawValue] = Package(
                version: package.version, tag: package.tag, commitHash: package.commitHash, source: package.source,
                recipeFile: package.recipeFile, remoteHash: package.remoteHash, localHash: package.localHash,
                runtimeRequires: names(package.runtimeRequires), buildRequires: names(package.buildRequires),
                fullRequires: names(package.fullRequires), fullRuntimeRequires: names(package.fullRuntimeRequires),
                fullBuildRequires: names(package.fullBuildRequires), origin: origin, hashInputs: package.hashInputs)
        }
        self.packages = packages
    }
}
