import ArgumentParser
import Foundation

/// The program's one output sink: results to stdout, diagnostics to stderr, failures
/// turned into an exit status with the error's own description.
enum Output {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func write(bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    static func warn(_ text: String) {
        FileHandle.standardError.write(Data("alien-install: warning: \(text)\n".utf8))
    }

    /// Prints an error line without ending the program (one of several failures).
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("alien-install: error: \(message)\n".utf8))
    }

    /// Prints the message and returns the exit code to throw.
    static func fail(_ message: String, code: Int32 = 1) -> ExitCode {
        FileHandle.standardError.write(Data("alien-install: error: \(message)\n".utf8))
        return ExitCode(code)
    }

    /// An error as it describes itself, plus what the user can do about it where the CLI knows
    /// (the options that help: `ErrorAdvice`).
    static func describe(_ error: any Error) -> String {
        ErrorAdvice.describe(error) ?? String(describing: error)
    }

    /// Runs library code; its errors are printed as they describe themselves, exit status 1.
    static func run<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch {
            throw fail(describe(error))
        }
    }

    /// `run` for async library calls.
    static func runAsync<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch {
            throw fail(describe(error))
        }
    }
}
