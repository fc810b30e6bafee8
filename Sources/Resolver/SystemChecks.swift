public import AlienModel

/// A shell snippet the resolver needs answered: a `prefer_system_check`, a
/// `system_requirement_check` or a `track_env` command, exactly as aliBuild would run it.
public struct SystemCheckRequest: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case preferSystem
        case systemRequirement
        case trackEnv(variable: String)
    }

    public let package: PackageName
    public let kind: Kind
    /// The bash text to run (for prefer checks, with `REQUESTED_VERSION=...` prepended).
    public let script: String

    public init(package: PackageName, kind: Kind, script: String) {
        self.package = package
        self.kind = kind
        self.script = script
    }
}

/// What a check said: its exit status and its merged stdout/stderr with one trailing
/// newline removed (Python's `getstatusoutput`).
public struct SystemCheckResult: Hashable, Sendable {
    public var exitStatus: Int32
    public var output: String

    public init(exitStatus: Int32, output: String = "") {
        self.exitStatus = exitStatus
        self.output = output
    }

    public var succeeded: Bool { exitStatus == 0 }
}

/// Answers system checks. The resolver stays pure: whoever runs bash (or pretends to)
/// is injected. `HostEnvironment.SystemProbe` runs the snippets for real.
public protocol SystemChecker: Sendable {
    func run(_ request: SystemCheckRequest) -> SystemCheckResult
}

/// Answers without running anything: what `resolve` does offline by default.
/// `prefer_system` checks fail (everything is built here), system requirements are
/// assumed present, and `track_env` commands print nothing.
public struct AssumedSystem: SystemChecker {
    public var systemRequirementsPresent: Bool
    public var answers: [SystemCheckRequest: SystemCheckResult]

    public init(systemRequirementsPresent: Bool = true, answers: [SystemCheckRequest: SystemCheckResult] = [:]) {
        self.systemRequirementsPresent = systemRequirementsPresent
        self.answers = answers
    }

    public func run(_ request: SystemCheckRequest) -> SystemCheckResult {
        if let answer = answers[request] { return answer }
        switch request.kind {
        case .preferSystem: return SystemCheckResult(exitStatus: 1)
        case .systemRequirement: return SystemCheckResult(exitStatus: systemRequirementsPresent ? 0 : 1)
        case .trackEnv: return SystemCheckResult(exitStatus: 0)
        }
    }
}

/// `resolve`'s offline default checker: system requirements pass without running (a release
/// manager's machine need not have the build hosts' -devel packages); prefer checks and
/// `track_env` go to `probe` (the host's bash, in `HostEnvironment`). With
/// `SystemPolicy(noSystem: .all)` the only prefer checks asked are those aliBuild runs even
/// under `--no-system` (`allow_system_package_upload`).
public struct RequirementsAssumed: SystemChecker {
    public let probe: any SystemChecker

    public init(_ probe: any SystemChecker) { self.probe = probe }

    public func run(_ request: SystemCheckRequest) -> SystemCheckResult {
        if case .systemRequirement = request.kind { return SystemCheckResult(exitStatus: 0) }
        return probe.run(request)
    }
}
