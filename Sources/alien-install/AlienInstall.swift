import ArgumentParser
import Basics

@main
struct AlienInstall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alien-install",
        abstract: "Build, publish and install grid software from alidist-style recipes.",
        discussion: """
            Release managers resolve and build recipes into relocatable tarballs; sites install \
            them. Recipes are read from --config-dir, $ALIEN_RECIPES, ./recipes, or the \
            recipes/ folder of the source tree.
            """,
        version: "0.1.0",
        subcommands: [
            Resolve.self, Build.self, Doctor.self, JDLCommand.self, Keys.self, Repo.self, Publish.self, Undefine.self, Revoke.self,
            RevocationsCommand.self,
            TrustCommand.self, Serve.self, Install.self, Remove.self, GC.self, Verify.self, ListCommand.self,
            LeaseCommand.self, EnvCommand.self, EnterCommand.self, RunCommand.self, AlienvCommand.self, Seed.self,
            ForensicsCommand.self, PackManCommand.self
        ])
}

extension AlienInstall {
    /// The one place where a command's failure becomes output and an exit status
    /// (`Output.exitError(for:)`): ArgumentParser's own errors (argument errors, `ExitCode`,
    /// `CleanExit`, `ValidationError`) go back to it as thrown; any other error is printed once,
    /// as `Output.describe` words it, with its exit status. Commands just `try`.
    static func main() async {
        // A short-lived command: keep freed buffers for the next ones (see MallocTuning).
        MallocTuning.keepFreedMemory()
        // Off the main thread, as ArgumentParser's own main runs commands: there, Foundation's
        // `Process.waitUntilExit` waits for the main run loop's 50 ms tick after every child
        // (three bash checks made a resolve 150 ms slower).
        await Task.detached { await runCommand() }.value
    }

    private static func runCommand() async {
        let command: any ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        do {
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                var command = command
                try command.run()
            }
        } catch {
            exit(withError: Output.exitError(for: error))
        }
    }
}
