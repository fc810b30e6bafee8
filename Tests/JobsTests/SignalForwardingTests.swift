import Foundation
import Jobs
import Testing

extension JobsProcessTests {
    @Suite struct SignalForwardingTests {
        /// A signal while no child runs is remembered (and the process lives on); `restore` puts
        /// the previous disposition back.
        @Test func aSignalWithoutChildIsKeptForIt() throws {
            var before = sigaction()
            sigaction(SIGHUP, nil, &before)
            let forwarding = SignalForwarding.install()
            raise(SIGHUP)
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
        @Test func aPendingSignalReachesTheChild() throws {
            let forwarding = SignalForwarding.install()
            defer { forwarding.restore() }
            raise(SIGTERM)
            #expect(try JobRunner.spawn(["sleep", "30"], environment: ["PATH": "/usr/bin:/bin"]) == 128 + SIGTERM)
        }
    }
}
