import Logging
import Prometheus
import ServiceLifecycle
public import SoftwareArea

extension DaemonConfig.Seeding {
    /// The shared `Seeder`'s settings for packmand's `seeding:` (the session is shared with the
    /// daemon's swarm downloads).
    public var seederSettings: Seeder.Settings {
        Seeder.Settings(enabled: enabled, ratio: ratio, ownsSession: false)
    }
}

/// Runs the seeder while packmand runs: rescans, feeds the seeding-ratio metric, stops the
/// session at shutdown.
struct SeedingService: Service {
    let seeder: Seeder
    let metrics: DaemonMetrics
    let interval: Int
    let logger: Logger

    func run() async throws {
        if let error = await seeder.start() { logger.error("seeding is configured but cannot start: \(error)") }
        await cancelWhenGracefulShutdown {
            await seeder.run(
                every: .seconds(interval), warn: { logger.warning("seeding: \($0)") },
                afterPass: { metrics.seedingRatio.record($0.ratio) })
        }
        await seeder.stop()
    }
}
