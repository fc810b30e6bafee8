public import Foundation

/// Making an unpacked aliBuild package usable at its prefix: aliBuild's relocation, in Swift
/// (build_template.sh): files that mention the build-time
/// prefix `…/INSTALLROOT/<hash>/<pkgpath>` or `@@PKGREVISION@<hash>@@` are listed in
/// `.original-unrelocated` and kept as `<file>.unrelocated`; relocating rewrites each from
/// that copy for a new work directory, keeping its mode.
public enum PackageRelocation {
    /// Finds the text files under `installDir` that need relocation (aliBuild's
    /// `grep -I -l -R`), records them in `.original-unrelocated`, keeps a `.unrelocated`
    /// copy of each, and writes `relocate-me.sh` for tools that expect it.
    ///
    /// When `buildPrefix` (the work dir the package was built in) is given, it is cut from
    /// those files (`<work dir>/INSTALLROOT/<hash>` → `/INSTALLROOT/<hash>`), so that the
    /// tarball does not depend on where it was built; relocation's pattern matches either.
    public static func prepare(
        installDir: URL, packagePath: String, hash: String, revision: String,
        buildPrefix: String? = nil
    ) throws(RelocationError) {
        let markers = [Array("INSTALLROOT/\(hash)".utf8), Array("@@PKGREVISION@\(hash)@@".utf8)]
        var listed: [String] = []
        let fileManager = FileManager.default
        guard let walker = fileManager.enumerator(at: installDir, includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey]) else {
            throw .io(path: installDir.path, reason: "cannot list the install directory")
        }
        let base = installDir.path + "/"
        while let url = walker.nextObject() as? URL {
            let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .isSymbolicLinkKey])
            guard values?.isRegularFile == true, values?.isSymbolicLink != true else { continue }
            guard let data = try? Data(contentsOf: url), !data.contains(0) else { continue }
            let bytes = [UInt8](data)
            if markers.contains(where: { contains(bytes, $0) }) {
                listed.append(String(url.path.dropFirst(base.count)))
            }
        }
        listed.sort()
        do {
            try (listed.map { $0 + "\n" }.joined()).write(to: installDir.appendingPathComponent(".original-unrelocated"), atomically: true, encoding: .utf8)
            for file in listed {
                let source = installDir.appendingPathComponent(file)
                if let buildPrefix {
                    let bytes = try [UInt8](Data(contentsOf: source))
                    let canonical = replaceAll(bytes, Array((buildPrefix + "/INSTALLROOT/\(hash)").utf8), with: Array("/INSTALLROOT/\(hash)".utf8))
                    if canonical != bytes { try Data(canonical).write(to: source) }
                }
                let copy = installDir.appendingPathComponent(file + ".unrelocated")
                try? fileManager.removeItem(at: copy)
                try fileManager.copyItem(at: source, to: copy)
            }
            var script = """
                #!/bin/bash -e
                if [[ "$WORK_DIR" == '' ]]; then
                  echo 'Please, define $WORK_DIR'
                  exit 1
                fi
                OP=\(packagePath)
                PP=${PKGPATH:-\(packagePath)}
                PH=\(hash)

                """
            for file in listed {
                script +=
                    "sed -e \"s|/[^ ;:]*INSTALLROOT/$PH/$OP|$WORK_DIR/$PP|g; s|[@][@]PKGREVISION[@]$PH[@][@]|\(revision)|g\" \"$PP/\(file).unrelocated\" > \"$PP/\(file)\"\n"
            }
            let scriptURL = installDir.appendingPathComponent("relocate-me.sh")
            try script.write(to: scriptURL, atomically: true, encoding: .utf8)
            try fileManager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scriptURL.path)
        } catch {
            throw .io(path: installDir.path, reason: "\(error)")
        }
    }

    /// `s|/[^ ;:]*<marker>|<replacement>|g` per line, with sed's leftmost-longest match: in a
    /// run of characters other than space, `;`, `:` and newline, the match starts at the first
    /// `/` and ends after the last occurrence of the marker.
    public static func rewritePrefix(_ bytes: [UInt8], marker: [UInt8], replacement: [UInt8]) -> [UInt8] {
        let separators: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "\n")]
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            // The next run of non-separator bytes.
            if separators.contains(bytes[index]) {
                out.append(bytes[index])
                index += 1
                continue
            }
            var end = index
            while end < bytes.count, !separators.contains(bytes[end]) { end += 1 }
            let run = Array(bytes[index..<end])
            out += rewriteRun(run, marker: marker, replacement: replacement)
            index = end
        }
        return out
    }

    private static func rewriteRun(_ run: [UInt8], marker: [UInt8], replacement: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        while start < run.count {
            guard let slash = run[start...].firstIndex(of: UInt8(ascii: "/")),
                let last = lastOccurrence(of: marker, in: run, from: slash)
            else {
                out += run[start...]
                break
            }
            out += run[start..<slash]
            out += replacement
            start = last + marker.count
        }
        return out
    }

    private static func lastOccurrence(of marker: [UInt8], in run: [UInt8], from: Int) -> Int? {
        guard run.count - from >= marker.count else { return nil }
        var position = run.count - marker.count
        while position >= from {
            if run[position] == marker[0], Array(run[position..<position + marker.count]) == marker { return position }
            position -= 1
        }
        return nil
    }

    public static func contains(_ bytes: [UInt8], _ marker: [UInt8]) -> Bool {
        guard !marker.isEmpty, bytes.count >= marker.count else { return false }
        for index in 0...(bytes.count - marker.count) where bytes[index] == marker[0] {
            if bytes[index..<index + marker.count].elementsEqual(marker) { return true }
        }
        return false
    }

    public static func replaceAll(_ bytes: [UInt8], _ marker: [UInt8], with replacement: [UInt8]) -> [UInt8] {
        guard contains(bytes, marker) else { return bytes }
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if index + marker.count <= bytes.count, bytes[index] == marker[0], bytes[index..<index + marker.count].elementsEqual(marker) {
                out += replacement
                index += marker.count
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }
}

/// Why a package could not be prepared for, or moved to, a prefix.
public enum RelocationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Listing or writing the package's files failed.
    case io(path: String, reason: String)
    /// Rewriting one listed file failed.
    case rewrite(path: String, reason: String)
    /// An entry of `.original-unrelocated` names something relocation must not touch: a path
    /// leaving the package (`..`, absolute), one through a symlink, or anything but a regular file.
    case refusedEntry(list: String, line: Int, entry: String, reason: String)

    public var description: String {
        switch self {
        case let .io(path, reason): "\(path): \(reason)"
        case let .rewrite(path, reason): "\(path): relocation failed: \(reason)"
        case let .refusedEntry(list, line, entry, reason): "\(list):\(line): entry \"\(entry)\" refused: \(reason)"
        }
    }
}
