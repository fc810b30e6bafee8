// openat2(2) for Swift: glibc has no wrapper and `syscall` is variadic, so it gets a typed one here.
#ifndef COPENAT2_SHIM_H
#define COPENAT2_SHIM_H
#include <errno.h>
#if defined(__linux__) && __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>
#define COPENAT2_AVAILABLE 1
#endif

/// `openat(directory, path, flags)` refusing every symbolic link on the way (the last component
/// included: ELOOP) and any path leaving `directory` (EXDEV). -1 with errno ENOSYS where the
/// kernel (or a seccomp filter: then EPERM or ENOSYS) does not offer openat2.
static inline int copenat2_beneath_no_symlinks(int directory, const char *path, int flags) {
#if defined(COPENAT2_AVAILABLE) && defined(SYS_openat2)
    struct open_how how = { .flags = (unsigned long long)(unsigned int)flags, .mode = 0,
                            .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH };
    return (int)syscall(SYS_openat2, directory, path, &how, sizeof how);
#else
    (void)directory; (void)path; (void)flags;
    errno = ENOSYS;
    return -1;
#endif
}
#endif
