import Foundation
import Jobs
import Testing

extension JobsProcessTests {
    @Suite struct SignalForwardingTests {
        /// Raises `number` on this thread with it unblocked (a concurrency thread blocks nearly
        /// every signal), so the handler has run when this returns.
        static func deliver(_ number: Int32) {
            var only = sigset_t(), saved = sigset_t()
            sigemptyset(&only)
            sigaddset(&only, number)
            pthread_sigmask(SIG_UNBLOCK, &only, &saved)
            raise(number)
            pthread_sigmask(SIG_SETMASK, &saved, nil)
        }

        /// A signal while no child runs is remembered (and the process lives on); `restore` puts
        /// the previous disposition back.
        @Test func aSignalWithoutChildIsKeptForIt() throws {
            var before = sigaction()
            sigaction(SIGHUP, nil, &before)
            let forwarding = SignalForwarding.install()
            Self.deliver(SIGHUP)
            #expect(SignalForwarding.pendingSignal == SIGHUP)
            forwarding.restore()
            var after = sigaction()
            sigaction(SIGHUP, nil, &after)
            let same = withUnsafeBytes(of: before.__sigaction_handler) { old in
                withUnsafeBytes(of: after.__sigaction_handler) { new in old.elementsEqual(new) }
            }
            #expect(same)
            // A new installation starts without a pending signal.
            let again = SignalForwarding.install()
            #expect(SignalForwarding.pendingSignal == 0)
            again.restore()
        }

        /// A signal that arrived before the child started is sent to it at once.
        @Test func aPendingSignalReachesTheChild() async throws {
            let forwarding = SignalForwarding.install()
            defer { forwarding.restore() }
            Self.deliver(SIGTERM)
            #expect(try await JobRunner.spawn(["sleep", "30"], environment: ["PATH": "/usr/bin:/bin"]) == 128 + SIGTERM)
        }
    }
}
