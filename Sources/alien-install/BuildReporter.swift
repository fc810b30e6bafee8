import AlienModel
import Builder
import Foundation
import Synchronization

/// Shows a build as it happens: on a terminal, one line per running package with its
/// elapsed time under a line of counts; otherwise one JSON object per line.
final class BuildReporter: Sendable {
    private struct State {
        var running: [PackageName: Date] = [:]
        var total = 0, built = 0, cached = 0, failed = 0, skipped = 0
        var drawnLines = 0
    }

    private let json: Bool
    private let state = Mutex(State())
    private let ticker = Mutex<Task<Void, Never>?>(nil)

    init(json: Bool) {
        self.json = json
        guard !json else { return }
        // Elapsed times move once a second even when no package starts or ends.
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                guard let self else { return }
                self.tick()
            }
        }
        ticker.withLock { $0 = task }
    }

    private func tick() {
        state.withLock { state in
            if state.total > 0, !state.running.isEmpty { Self.redraw(nil, &state) }
        }
    }

    func handle(_ event: BuildEvent) {
        state.withLock { state in
            switch event {
            case let .planned(total): state.total = total
            case let .started(name, _, _): state.running[name] = Date()
            case .finished(let name, _, _, _): state.running[name] = nil; state.built += 1
            case .cached(let name, _, _, _): state.running[name] = nil; state.cached += 1
            case .failed(let name, _): state.running[name] = nil; state.failed += 1
            case .skipped: state.skipped += 1
            case .waitingForLock: break
            }
            if json { Output.write(Self.jsonLine(event)) } else { Self.redraw(event, &state) }
        }
    }

    private static func redraw(_ event: BuildEvent?, _ state: inout State) {
        var text = String(repeating: "\u{1B}[1A\u{1B}[2K", count: state.drawnLines) + "\r\u{1B}[2K"
        switch event {
        case nil: break
        case let .finished(name, version, revision, seconds): text += "✓ \(name) \(version)-\(revision) built in \(String(format: "%.1f", seconds)) s\n"
        case let .cached(name, version, revision, from): text += "✓ \(name) \(version)-\(revision) (\(from))\n"
        case let .failed(name, error): text += "✗ \(name): \(error)\n"
        case let .skipped(name, because): text += "- \(name): skipped, \(because) failed\n"
        case let .waitingForLock(path): text += "… another build holds \(path); waiting\n"
        default: break
        }
        let now = Date()
        let lines = state.running.sorted { $0.key < $1.key }.map { "  building \($0.key) (\(Int(now.timeIntervalSince($0.value))) s)" }
        text += lines.map { $0 + "\n" }.joined()
        text +=
            "[\(state.built + state.cached + state.failed + state.skipped)/\(state.total)] built \(state.built), cached \(state.cached), failed \(state.failed)"
            + (state.skipped > 0 ? ", skipped \(state.skipped)" : "") + "\n"
        state.drawnLines = lines.count + 1
        Output.write(text)
    }

    static func jsonLine(_ event: BuildEvent) -> String {
        var object: [String: Any] = [:]
        switch event {
        case let .planned(total): object = ["event": "planned", "total": total]
        case let .started(name, version, revision): object = ["event": "started", "package": name.rawValue, "version": version, "revision": revision]
        case let .finished(name, version, revision, seconds):
            object = ["event": "built", "package": name.rawValue, "version": version, "revision": revision, "seconds": seconds]
        case let .cached(name, version, revision, from):
            object = ["event": "cached", "package": name.rawValue, "version": version, "revision": revision, "from": from]
        case let .failed(name, error): object = ["event": "failed", "package": name.rawValue, "error": error.description]
        case let .skipped(name, because): object = ["event": "skipped", "package": name.rawValue, "because": because.rawValue]
        case let .waitingForLock(path): object = ["event": "waiting-for-lock", "lock": path]
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// The closing summary: what failed, with the last lines of each log.
    func finish(_ summary: BuildSummary, workDir: URL) {
        ticker.withLock { ticker in
            ticker?.cancel()
            ticker = nil
        }
        guard !json else { return }
        for (name, error) in summary.failed {
            Output.write("\n✗ \(name) failed: \(error)\n")
            if case let .script(_, _, _, tail) = error {
                Output.write(tail.map { "    | \($0)\n" }.joined())
            }
        }
        if summary.succeeded {
            Output.write("Built \(summary.built.count), reused \(summary.cached.count); store: \(workDir.path)/TARS\n")
        }
    }
}
