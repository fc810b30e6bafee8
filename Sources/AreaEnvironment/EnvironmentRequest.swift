public import AlienModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Package arguments as ALICE users type them for alienv: `VO_ALICE@Pkg::ver`, `Pkg::ver`,
/// `Pkg/ver`, `Pkg`, and comma-separated lists of these (`A/v1,B::v2`).
public enum EnvironmentRequest {
    public static func parse(_ arguments: [String]) throws(EnvironmentError) -> [PackageID] {
        var result: [PackageID] = []
        for argument in arguments {
            for piece in argument.split(separator: ",", omittingEmptySubsequences: true) {
                let text = Self.trimmed(piece)
                guard !text.isEmpty else { continue }
                do { result.append(try PackageID(parsing: text)) } catch {
                    throw .invalidPackageID(text, error)
                }
            }
        }
        guard !result.isEmpty else { throw .badPackageArgument(arguments.joined(separator: " "), reason: "no package given") }
        return result
    }

    /// `Trimming.whitespace(piece)`; the piece itself when its first and last bytes are ASCII
    /// and not a space or a tab (then its first and last scalars are no whitespace).
    static func trimmed(_ piece: Substring) -> String {
        let bytes = piece.utf8
        if let first = bytes.first, let last = bytes.last, first < 0x80, last < 0x80, first != 0x20, first != 0x09, last != 0x20, last != 0x09 {
            return String(piece)
        }
        return Trimming.whitespace(piece)
    }
}
