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
        subcommands: [Resolve.self, Build.self, Doctor.self, JDLCommand.self, Keys.self, Repo.self, Publish.self, Undefine.self,
                      TrustCommand.self, Serve.self, Install.self, Remove.self, GC.self, Verify.self, ListCommand.self,
                      LeaseCommand.self, EnvCommand.self, EnterCommand.self, RunCommand.self, AlienvCommand.self, Seed.self,
                      ForensicsCommand.self, PackManCommand.self])

    static func main() async {
        // A short-lived command: keep freed buffers for the next ones (see MallocTuning).
        MallocTuning.keepFreedMemory()
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
