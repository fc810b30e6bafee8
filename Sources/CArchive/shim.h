// libarchive for Swift: the headers, the file-type constants whose macros contain casts (and
// so do not import), and a thread-local UTF-8 locale switch.
#ifndef CARCHIVE_SHIM_H
#define CARCHIVE_SHIM_H

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <stddef.h>
#include <sys/stat.h>
#if defined(__APPLE__)
#include <xlocale.h>
#endif

// AE_IF* are `((__LA_MODE_T)0100000)`-style macros: Swift sees none of them.
static const unsigned int CARCHIVE_AE_IFMT = AE_IFMT;
static const unsigned int CARCHIVE_AE_IFREG = AE_IFREG;
static const unsigned int CARCHIVE_AE_IFLNK = AE_IFLNK;
static const unsigned int CARCHIVE_AE_IFSOCK = AE_IFSOCK;
static const unsigned int CARCHIVE_AE_IFCHR = AE_IFCHR;
static const unsigned int CARCHIVE_AE_IFBLK = AE_IFBLK;
static const unsigned int CARCHIVE_AE_IFDIR = AE_IFDIR;
static const unsigned int CARCHIVE_AE_IFIFO = AE_IFIFO;

// Permission bits that extraction refuses and packing drops.
static const unsigned int CARCHIVE_S_ISUID = 04000;
static const unsigned int CARCHIVE_S_ISGID = 02000;
static const unsigned int CARCHIVE_S_ISVTX = 01000;

#if defined(__linux__)
#include <stdint.h>
// sync_file_range(2) is declared by glibc only under _GNU_SOURCE, which a Swift module cannot
// set: declared here (off64_t is `long` on every 64-bit Linux, as int64_t is).
extern int sync_file_range(int fd, int64_t offset, int64_t nbytes, unsigned int flags);
#endif

/// Starts writing the file's dirty pages to the disk without waiting (0, or -1 with errno;
/// ENOSYS where the call does not exist).
static inline int carchive_start_writeback(int fd) {
#if defined(__linux__)
    return sync_file_range(fd, 0, 0, 2 /* SYNC_FILE_RANGE_WRITE */);
#else
    (void)fd;
    return 0;
#endif
}

/// Writes the file's dirty pages and waits until all of them (also those already under
/// writeback) reached the disk. No metadata, no journal commit. Elsewhere: fdatasync.
static inline int carchive_wait_writeback(int fd) {
#if defined(__linux__)
    return sync_file_range(fd, 0, 0, 1 | 2 | 4 /* WAIT_BEFORE | WRITE | WAIT_AFTER */);
#else
    return fsync(fd);
#endif
}

// `((1l << 30) - 2l)` on Linux: a macro Swift does not import either.
static const long CARCHIVE_UTIME_OMIT = UTIME_OMIT;

/// What `carchive_enter_utf8_locale` changed, for `carchive_leave_locale`.
typedef struct carchive_locale_scope {
    locale_t previous;
    locale_t created;
} carchive_locale_scope;

/// Switches the calling thread only (`uselocale`, never the process-wide `setlocale`) to a
/// UTF-8 LC_CTYPE, so that libarchive converts pax names from and to UTF-8 instead of failing on
/// every non-ASCII byte in the "C" locale a Swift process starts in. Does nothing when the
/// system has no UTF-8 locale.
static inline carchive_locale_scope carchive_enter_utf8_locale(void) {
    carchive_locale_scope scope = { (locale_t)0, (locale_t)0 };
    locale_t created = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    if (created == (locale_t)0) created = newlocale(LC_CTYPE_MASK, "en_US.UTF-8", (locale_t)0);
    if (created == (locale_t)0) return scope;
    scope.previous = uselocale(created);
    scope.created = created;
    return scope;
}

/// Restores the thread's locale saved by `carchive_enter_utf8_locale` and frees the one it made.
static inline void carchive_leave_locale(carchive_locale_scope scope) {
    if (scope.created == (locale_t)0) return;
    uselocale(scope.previous);
    freelocale(scope.created);
}

#endif
