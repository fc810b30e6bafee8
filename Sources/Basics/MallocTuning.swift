#if canImport(Glibc)
// glibc's `int mallopt(int param, int value)` from <malloc.h>, which the Glibc module does not
// export; its two parameters and their values (`M_TRIM_THRESHOLD` -1, `M_MMAP_THRESHOLD` -3).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
private let trimThresholdParameter: Int32 = -1
private let mmapThresholdParameter: Int32 = -3
#endif

/// How glibc's allocator treats the large buffers a transfer goes through.
///
/// An install streams hundreds of megabytes through buffers of a piece's size (received
/// chunks, a verified piece, the extractor's input). By default glibc serves blocks above a
/// dynamic threshold with a fresh `mmap` and returns freed memory at the top of the heap to the
/// kernel (`M_TRIM_THRESHOLD`), so every buffer is new memory and its first touch page
/// faults: about 120 000 faults for a 512 MiB tarball, a third of the install's system time.
/// `keepFreedMemory()` serves such blocks from the heap and keeps what is freed for the next
/// one, so the same pages carry the whole stream (14 000 faults). The cost: a process keeps
/// its peak heap until it exits — right for a command that ends after one install, not for a
/// daemon that lives for months, so only `alien-install` calls it.
public enum MallocTuning {
    /// Blocks below this come from the heap, not from `mmap`.
    public static let mmapThreshold: Int32 = 64 << 20
    /// Free memory at the top of the heap beyond this goes back to the kernel.
    public static let trimThreshold: Int32 = 256 << 20

    /// Sets both thresholds for the rest of the process; true when glibc took them.
    @discardableResult
    public static func keepFreedMemory() -> Bool {
        #if canImport(Glibc)
        return glibcMallopt(mmapThresholdParameter, mmapThreshold) == 1 && glibcMallopt(trimThresholdParameter, trimThreshold) == 1
        #else
        return false
        #endif
    }
}
