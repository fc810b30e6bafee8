/// The response-header rules of a TUF repository with consistent snapshots (DESIGN.md
/// "Repository"), shared word for word with installer/nginx/alien-repo.conf.
///
/// Every file is immutable (its name carries a version or a sha256) except `timestamp.json`,
/// which each publish rewrites: it may be cached for 61 s, the shortest lifetime Squid stores
/// (its `minimum_expiry_time` is 60 s), so a new publish is visible at a site within about a
/// minute.
public enum CachePolicy {
    /// For every file except the mutable names.
    public static let immutable = "public, max-age=31536000, immutable"
    /// For the mutable names: `timestamp.json`, and `root.json` (the unversioned copy of the
    /// newest `N.root.json`, which clients never need but people and scripts bootstrap from).
    public static let timestamp = "public, max-age=61"

    /// The file names that change in place.
    public static let mutableNames: Set<String> = ["timestamp.json", "root.json"]

    /// `Cache-Control` for a file called `name` (the last path component).
    public static func cacheControl(forFileNamed name: String) -> String {
        mutableNames.contains(name) ? timestamp : immutable
    }

    /// `application/json` for `.json`, `application/octet-stream` for everything else
    /// (tarballs, torrents): no charset, no sniffing.
    public static func contentType(forFileNamed name: String) -> String {
        name.hasSuffix(".json") ? "application/json" : "application/octet-stream"
    }
}
