#ifndef CSYSTEM_SHIM_H
#define CSYSTEM_SHIM_H
#include <unistd.h>
// Linux system calls Glibc declares only under _GNU_SOURCE, which Swift's Glibc module does not
// set. The prototypes match glibc's; the symbols are in libc, so nothing extra is linked.
// syncfs(2): commit every dirty page and inode of one filesystem in one journal commit (Linux
// >= 5.8 also reports writeback errors) — the group-commit primitive for the spool.
extern int syncfs(int fd);
// renameat2(2) with RENAME_NOREPLACE: claim a file without ever replacing one already claimed
// under the same name (ext4, xfs, btrfs, tmpfs; other filesystems answer EINVAL).
extern int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);
// memmem(3): find a byte string in a buffer (the splice points of an encoded audit record, the
// ends of comments and CDATA sections when the routed copy is spliced).
#include <stddef.h>
extern void *memmem(const void *haystack, size_t haystacklen, const void *needle, size_t needlelen);
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#endif
