import AlienModel
import ArgumentParser
import Foundation
import Publisher
import Trust

struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage signing keys for a TUF repository.",
        subcommands: [Generate.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Generate an Ed25519 key pair: DIR/NAME.key (private, mode 0600) and DIR/NAME.pub.",
            discussion: """
                Prints the key id (sha256 of the canonical public key, as TUF metadata names \
                keys). Refuses to overwrite an existing file. Keep root keys offline.
                """)

        @Argument(help: "Key name, e.g. root1, targets, snapshot, timestamp.")
        var name: String

        @Option(name: .long, help: "Directory for the key files (created if missing).")
        var dir: String = "."

        @Flag(name: .long, help: "Print {\"keyid\", \"private\", \"public\"} as JSON.")
        var json = false

        func run() throws {
            let generated = try KeyFiles.generate(name: name, directory: URL(fileURLWithPath: dir))
            if json {
                Output.json(
                    .object([
                        "keyid": .string(generated.keyID), "private": .string(generated.privateKeyPath),
                        "public": .string(generated.publicKeyPath)
                    ]))
            } else {
                Output.write("\(generated.keyID)\n")
            }
        }
    }
}

/// `--key FILE` (repeatable) and `--keys-dir DIR`: the private keys a command may sign with;
/// each role is signed by the keys the repository's root assigns to it.
struct SigningKeyOptions: ParsableArguments {
    @Option(name: .customLong("key"), help: "A private key file (NAME.key); repeat for several roles.")
    var keys: [String] = []

    @Option(name: .long, help: "A directory whose *.key files are all offered for signing.")
    var keysDir: String?

    func signers() throws -> Signers {
        Signers(try KeyFiles.signingKeys(paths: keys, directory: keysDir))
    }
}

extension Output {
    /// One JSON document (compact, keys sorted) and a newline.
    static func json(_ value: JSONValue) {
        write(String(decoding: value.compactJSONBytes, as: UTF8.self) + "\n")
    }
}
