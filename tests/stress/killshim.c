/*
 * killshim.c — an LD_PRELOAD shim for the crash sweep: counts the calls that write or sync a
 * file (write, pwrite, pwrite64, writev, pwritev, fsync, fdatasync) across the whole process, and
 * when the count reaches $RATABLE_KILL_AT the process is killed with SIGKILL *before* that call
 * runs, so the N-1 calls before it are on disk and the Nth never happened.
 *
 * With $RATABLE_KILL_FILE set, only calls on that file and on files whose name starts with it
 * count (BOOK counts BOOK-wal and BOOK-shm too), so temporary files do not stretch a sweep.
 * With $RATABLE_KILL_COUNT set to a file name, the number of calls counted is written to that file
 * at exit, so a sweep knows how far it has to go.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long kill_at = -1; /* -1: not read yet; 0: never */
static const char *only;  /* $RATABLE_KILL_FILE, or NULL: every file counts */
static long calls;

/* Whether fd is the book or one of its -wal and -shm files. */
static int counted(int fd)
{
    if (!only)
        return 1;
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n < 0)
        return 0;
    path[n] = '\0';
    return strncmp(path, only, strlen(only)) == 0;
}

static void count_call(int fd)
{
    if (kill_at < 0) {
        const char *v = getenv("RATABLE_KILL_AT");
        kill_at = v ? atol(v) : 0;
        if (kill_at < 0)
            kill_at = 0;
        only = getenv("RATABLE_KILL_FILE");
    }
    if (!counted(fd))
        return;
    if (++calls == kill_at)
        raise(SIGKILL);
}

__attribute__((destructor)) static void report(void)
{
    const char *path = getenv("RATABLE_KILL_COUNT");
    if (!path)
        return;
    FILE *f = fopen(path, "w");
    if (f) {
        fprintf(f, "%ld\n", calls);
        fclose(f);
    }
}

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*pwrite64_fn)(int, const void *, size_t, off64_t);
typedef ssize_t (*writev_fn)(int, const struct iovec *, int);
typedef ssize_t (*pwritev_fn)(int, const struct iovec *, int, off_t);
typedef int (*sync_fn)(int);

/* The next definition of a symbol (libc's), looked up once. */
#define REAL(type, name)                                                                           \
    static type real;                                                                              \
    if (!real) {                                                                                   \
        real = (type)dlsym(RTLD_NEXT, name);                                                       \
    }

ssize_t write(int fd, const void *buf, size_t n)
{
    REAL(write_fn, "write");
    count_call(fd);
    return real(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    REAL(pwrite_fn, "pwrite");
    count_call(fd);
    return real(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
    REAL(pwrite64_fn, "pwrite64");
    count_call(fd);
    return real(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
    REAL(writev_fn, "writev");
    count_call(fd);
    return real(fd, iov, n);
}

ssize_t pwritev(int fd, const struct iovec *iov, int n, off_t off)
{
    REAL(pwritev_fn, "pwritev");
    count_call(fd);
    return real(fd, iov, n, off);
}

int fsync(int fd)
{
    REAL(sync_fn, "fsync");
    count_call(fd);
    return real(fd);
}

int fdatasync(int fd)
{
    REAL(sync_fn, "fdatasync");
    count_call(fd);
    return real(fd);
}
