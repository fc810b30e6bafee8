#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// SIGINT/SIGTERM/SIGHUP handlers that forward the signal to the job's process, or remember it
/// when none runs yet (`JobRunner.spawn` then sends it on at once). Handlers, not
/// swift-service-lifecycle's `UnixSignals` as elsewhere: that one ignores the signals
/// (SIG_IGN), and `Process` passes ignored dispositions on to the child. `kill(2)` and
/// lock-free atomics are async-signal-safe. One job per process: the state is the process's.
public struct SignalForwarding {
    /// The running child (0: none).
    static let child = Atomic<pid_t>(0)
    /// A signal that arrived while no child ran (0: none).
    static let pending = Atomic<Int32>(0)
    public static let signals = [SIGINT, SIGTERM, SIGHUP]
    private var previous: [sigaction] = []

    /// Installs the handlers; `restore()` puts the previous ones back.
    public static func install() -> SignalForwarding {
        var forwarding = SignalForwarding()
        pending.store(0, ordering: .sequentiallyConsistent)
        for number in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { received in
                let child = SignalForwarding.child.load(ordering: .sequentiallyConsistent)
                if child > 0 { kill(child, received) } else { SignalForwarding.pending.store(received, ordering: .sequentiallyConsistent) }
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            var old = sigaction()
            sigaction(number, &action, &old)
            forwarding.previous.append(old)
        }
        return forwarding
    }

    public func restore() {
        for (number, old) in zip(Self.signals, previous) {
            var restored = old
            sigaction(number, &restored, nil)
        }
    }

    /// The signal that arrived while no child ran, if any (0: none).
    public static var pendingSignal: Int32 { pending.load(ordering: .sequentiallyConsistent) }
}
