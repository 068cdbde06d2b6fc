/*
 * shmbus topic layout version 3, a reference implementation in C11. Section names in the comments are those
 * of docs/LAYOUT.md.
 */
#define _GNU_SOURCE
#include "shmbus.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ offsets (sections 2 and 3) */

enum
{
    H_MAGIC = 0, H_VERSION = 8, H_HEADER_LENGTH = 12, H_CONTROL_OFFSET = 16, H_CONTROL_LENGTH = 24,
    H_DATA_OFFSET = 32, H_CAPACITY = 40, H_FILE_LENGTH = 48, H_MAX_MESSAGE = 56, H_MAX_PUBLISHERS = 60,
    H_MAX_SUBSCRIBERS = 64, H_RECORD_HEADER = 68, H_FLAGS = 72, H_CREATOR_PID = 76, H_CREATED_MS = 80,
    H_NAME_LENGTH = 88, H_NAME = 92, H_RESERVED = 192
};

enum
{
    C_TAIL = 0, C_CLEAN_LIMIT = 128, C_CLEAN_INTENT = 136, C_CLEAN_COUNT = 144, C_CLEAN_LOCK = 152,
    C_CLEAN_PENDING = 160, C_CLEAN_HOLES = 168, C_CLEAN_ZEROED = 176, C_DATA_SIGNAL = 256, C_DATA_WAITERS = 260,
    C_BLOCKING_SUBSCRIBERS = 264,
    C_SPACE_SIGNAL = 384, C_SPACE_WAITERS = 388, C_BLOCKING_PUBLISHERS = 392, C_SUBSCRIBER_COUNT = 512,
    C_PUBLISHER_COUNT = 516, C_EXCLUSIVE_PUBLISHER = 520, C_REPAIRS = 528, C_RECLAIMS = 536,
    C_TAKEOVERS = 544, C_PUBLISHER_SLOTS = 1024
};

enum
{
    P_LENGTH = 128, P_CLAIM_POSITION = 0, P_CLAIM_LENGTH = 8, P_REPAIRING = 12, P_PUBLISHED = 16,
    P_BACK_PRESSURED = 24, P_WAKES = 32, P_SLEEPING = 48, P_STATE = 64, P_MODE = 68, P_PID = 72,
    P_ATTACHED_MS = 80, P_ROUND_AREA = 88
};

enum
{
    S_LENGTH = 256, S_POSITION = 0, S_DELIVERED = 8, S_MESSAGE_INDEX = 16, S_ROUND_AREA = 24, S_STATE = 64,
    S_POLICY = 68, S_PID = 72, S_BLOCKING = 76, S_ATTACHED_MS = 80, S_SLEEPING = 88, S_COUNTED = 92,
    S_REPAIRING = 96, S_DEMOTED = 104,
    S_LOST_MESSAGES = 136, S_LOST_BYTES = 144, S_WAITS = 152, S_WAIT_TIMEOUTS = 160, S_EXPIRE_MS = 168,
    S_DETACHED_MS = 176, S_HOLD_LIMIT_MS = 184
};

/* Section 4.4: the round area of a participant's slot. */
enum
{
    RA_STEP_STATE = 0, RA_STEP_SEQUENCE = 4, RA_STEP_FROM = 8, RA_STEP_TO = 16, RA_PROPOSAL_LIMIT = 24,
    RA_PROPOSAL_COUNT = 32
};
enum { STEP_IDLE = 0, STEP_ACTIVE = 1, STEP_HOLE = 2, STEP_BYTES = 4096 };

/* Section 4.1: the cleanLock word. */
#define LOCK_ANNOUNCED (1LL << 32)
#define LOCK_EPOCH_SHIFT 33
#define LOCK_EPOCH_MASK ((1LL << 30) - 1)

enum { STATE_FREE = 0, STATE_ACTIVE = 1, STATE_DETACHED = 2 };
enum { MODE_SHARED = 2 };

enum
{
    R_LENGTH = 0, R_TYPE = 4, R_PUBLISHER_ID = 8, R_KIND = 10, R_TIMESTAMP = 16
};

/* Section 4: kernel lock bytes. */
enum { L_ATTACHED = 512, L_ALLOCATION = 513, L_PUBLISHERS = 1024, L_SUBSCRIBERS = 2048 };

#define SLEEP_SLICE_NS 100000000LL       /* a claim is outstanding at the reader's position */
#define IDLE_SLEEP_SLICE_NS 1000000000LL /* caught up */
#define SPACE_SLICE_NS 50000000LL
#define FALLBACK_SLICE_NS 1000000LL
#define LOCK_TIMEOUT_NS 10000000000LL

/* ------------------------------------------------------------------ shared-memory accessors */

#define A64(p) ((_Atomic int64_t *)(void *)(p))
#define A32(p) ((_Atomic int32_t *)(void *)(p))
#define A16(p) ((_Atomic int16_t *)(void *)(p))

static inline int64_t cload64(const shm_topic *t, size_t offset, memory_order order)
{
    return atomic_load_explicit(A64(t->control + offset), order);
}

static inline void cstore64(const shm_topic *t, size_t offset, int64_t value, memory_order order)
{
    atomic_store_explicit(A64(t->control + offset), value, order);
}

static inline int32_t cload32(const shm_topic *t, size_t offset, memory_order order)
{
    return atomic_load_explicit(A32(t->control + offset), order);
}

static inline void cstore32(const shm_topic *t, size_t offset, int32_t value, memory_order order)
{
    atomic_store_explicit(A32(t->control + offset), value, order);
}

static inline int32_t cadd32(const shm_topic *t, size_t offset, int32_t delta)
{
    return atomic_fetch_add_explicit(A32(t->control + offset), delta, memory_order_seq_cst);
}

static inline int32_t dload32(const shm_topic *t, int64_t index, memory_order order)
{
    return atomic_load_explicit(A32(t->data + index), order);
}

static inline void dstore32(const shm_topic *t, int64_t index, int32_t value, memory_order order)
{
    atomic_store_explicit(A32(t->data + index), value, order);
}

static inline int16_t dload16(const shm_topic *t, int64_t index)
{
    return atomic_load_explicit(A16(t->data + index), memory_order_relaxed);
}

static inline void dstore16(const shm_topic *t, int64_t index, int16_t value)
{
    atomic_store_explicit(A16(t->data + index), value, memory_order_relaxed);
}

static int64_t hload64(const uint8_t *header, size_t offset)
{
    int64_t value;
    memcpy(&value, header + offset, sizeof value);
    return value;
}

static int32_t hload32(const uint8_t *header, size_t offset)
{
    int32_t value;
    memcpy(&value, header + offset, sizeof value);
    return value;
}

static inline int64_t align_up(int64_t value, int64_t alignment)
{
    return (value + alignment - 1) & -alignment;
}

static inline int32_t align16(int32_t length)
{
    return (int32_t)(((uint32_t)length + (SHM_ALIGNMENT - 1)) & ~(uint32_t)(SHM_ALIGNMENT - 1));
}

static int fail(shm_topic *t, int code, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static int vfail(shm_topic *t, int code, const char *prefix, const char *format, va_list args)
{
    /* "<source>: <prefix><message>", cut to the buffer. */
    size_t n = strlen(t->source);
    n = n < sizeof t->error - 1 ? n : sizeof t->error - 1;
    memmove(t->error, t->source, n);
    const size_t prefix_length = strlen(prefix);
    if (n + 2 + prefix_length < sizeof t->error)
    {
        memcpy(t->error + n, ": ", 2);
        memcpy(t->error + n + 2, prefix, prefix_length);
        n += 2 + prefix_length;
    }
    t->error[n] = 0;
    vsnprintf(t->error + n, sizeof t->error - n, format, args);
    return code;
}

static int fail(shm_topic *t, int code, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vfail(t, code, "", format, args);
    va_end(args);
    return code;
}

static int corrupt(shm_topic *t, const char *format, ...) __attribute__((format(printf, 2, 3)));

static int corrupt(shm_topic *t, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vfail(t, SHM_ECORRUPT, "corrupt: ", format, args);
    va_end(args);
    return SHM_ECORRUPT;
}

int64_t shm_now_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec;
}

static int64_t epoch_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000LL + now.tv_nsec / 1000000;
}

static int64_t epoch_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec;
}

static void pause_ns(int64_t ns)
{
    struct timespec ts = {ns / 1000000000LL, ns % 1000000000LL};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    {
    }
}

/* ------------------------------------------------------------------ system calls (sections 4 and 7) */

static int barrier_state = -1; /* -1 not tried, 0 not available, 1 registered */

int shm_register_barrier(void)
{
    if (barrier_state < 0)
    {
        /* Section 7: every process that takes part registers before it publishes or consumes, so that a sleeper's
         * MEMBARRIER_CMD_GLOBAL_EXPEDITED reaches this process's threads. */
        barrier_state = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0) == 0 ? 1 : 0;
        if (getenv("SHMBUS_NO_EXPEDITED_BARRIER") != NULL)
        {
            barrier_state = 0; /* for tests of the fallback */
        }
    }
    return barrier_state;
}

int shm_barrier_available(void)
{
    return shm_register_barrier();
}

static int issue_expedited_barrier(void)
{
    return barrier_state == 1 && syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0) == 0;
}

static int issue_global_barrier(void)
{
    return syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0) == 0;
}

static void futex_wait(void *word, int32_t expected, int64_t timeout_ns)
{
    struct timespec ts = {timeout_ns / 1000000000LL, timeout_ns % 1000000000LL};
    /* Shared, never FUTEX_PRIVATE_FLAG: waiters and wakers are different processes (section 7). */
    syscall(SYS_futex, word, FUTEX_WAIT, expected, &ts, NULL, 0);
}

static void futex_wake_all(void *word)
{
    syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* 1 taken, 0 held by another open file description, -1 error. */
static int ofd_lock(int fd, int64_t offset, short type)
{
    struct flock lock;
    memset(&lock, 0, sizeof lock); /* l_pid must be 0 for OFD locks */
    lock.l_type = type;
    lock.l_whence = SEEK_SET;
    lock.l_start = offset;
    lock.l_len = 1;
    if (fcntl(fd, F_OFD_SETLK, &lock) == 0)
    {
        return 1;
    }
    return errno == EAGAIN || errno == EACCES ? 0 : -1;
}

static void ofd_unlock(int fd, int64_t offset)
{
    ofd_lock(fd, offset, F_UNLCK);
}

/* 1 when another open file description holds any lock on the byte. */
static int ofd_held_elsewhere(int fd, int64_t offset)
{
    struct flock lock;
    memset(&lock, 0, sizeof lock);
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    lock.l_start = offset;
    lock.l_len = 1;
    if (fcntl(fd, F_OFD_GETLK, &lock) != 0)
    {
        return 1; /* cannot tell: take it for alive */
    }
    return lock.l_type != F_UNLCK;
}

/* Section 4: each participant holds its locks through an open file description of its own. */
static int open_lock_description(shm_topic *t)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", t->fd);
    const int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
    {
        return fail(t, SHM_EIO, "cannot open a lock description (%s): %s", path, strerror(errno));
    }
    return fd;
}

static int lock_allocation(shm_topic *t, int fd)
{
    const int64_t deadline = shm_now_ns() + LOCK_TIMEOUT_NS;
    int r;
    while ((r = ofd_lock(fd, L_ALLOCATION, F_WRLCK)) == 0)
    {
        if (shm_now_ns() > deadline)
        {
            return fail(t, SHM_EBUSY, "could not take the slot allocation lock within 10 s");
        }
        pause_ns(50000);
    }
    if (r < 0)
    {
        return fail(t, SHM_EIO, "allocation lock: %s", strerror(errno));
    }
    return 0;
}

/* ------------------------------------------------------------------ opening (section 2) */

static int64_t control_length(int32_t max_publishers, int32_t max_subscribers)
{
    return align_up(C_PUBLISHER_SLOTS + (int64_t)P_LENGTH * max_publishers + (int64_t)S_LENGTH * max_subscribers,
        SHM_PAGE);
}

/* The checks of "Opening a topic: the checks, in order", then the reserved bytes and the name. expected_name NULL
 * skips the name check; anonymous tells which way the ANONYMOUS flag must be. */
static int check_header(shm_topic *t, const uint8_t *h, int64_t file_size, const char *expected_name, int anonymous)
{
    if (file_size < SHM_HEADER_LENGTH)
    {
        return fail(t, SHM_EINVALID, "file is %lld bytes, shorter than the 4096-byte topic header",
            (long long)file_size);
    }
    const int64_t magic = hload64(h, H_MAGIC);
    if (magic != SHM_MAGIC)
    {
        return fail(t, SHM_EINVALID, "not a shmbus topic: magic is 0x%016llx, expected 0x%016llx",
            (unsigned long long)magic, (unsigned long long)SHM_MAGIC);
    }
    /* Written last with release by the creator: acquire, and every field read after it is the creator's. */
    const int32_t version = atomic_load_explicit(A32(h + H_VERSION), memory_order_acquire);
    if (version == 0)
    {
        return fail(t, SHM_EINVALID, "header is not initialised (layout version 0)");
    }
    if (version != SHM_LAYOUT_VERSION)
    {
        return fail(t, SHM_EINVALID, "layout version is %d, this reader reads version %d", version,
            SHM_LAYOUT_VERSION);
    }
    const int32_t header_length = hload32(h, H_HEADER_LENGTH);
    if (header_length != SHM_HEADER_LENGTH)
    {
        return fail(t, SHM_EINVALID, "header length is %d, expected 4096", header_length);
    }
    const int64_t capacity = hload64(h, H_CAPACITY);
    if (capacity < 4096 || capacity > (1LL << 30) || (capacity & (capacity - 1)) != 0)
    {
        return fail(t, SHM_EINVALID, "ring capacity %lld is not a power of two from 4096 to 1073741824",
            (long long)capacity);
    }
    const int32_t max_message = hload32(h, H_MAX_MESSAGE);
    if (max_message < 0 || max_message > capacity / 8)
    {
        return fail(t, SHM_EINVALID, "max message length %d is outside 0 to capacity/8 = %lld", max_message,
            (long long)(capacity / 8));
    }
    const int32_t max_publishers = hload32(h, H_MAX_PUBLISHERS);
    if (max_publishers < 1 || max_publishers > 1024)
    {
        return fail(t, SHM_EINVALID, "max publishers %d is outside 1 to 1024", max_publishers);
    }
    const int32_t max_subscribers = hload32(h, H_MAX_SUBSCRIBERS);
    if (max_subscribers < 1 || max_subscribers > 1024)
    {
        return fail(t, SHM_EINVALID, "max subscribers %d is outside 1 to 1024", max_subscribers);
    }
    const int32_t flags = hload32(h, H_FLAGS);
    const int32_t known = SHM_FLAG_TIMESTAMPS | SHM_FLAG_REQUIRE_SUBSCRIBER | SHM_FLAG_ANONYMOUS;
    if ((flags & ~known) != 0)
    {
        return fail(t, SHM_EINVALID, "unknown flags 0x%x", (unsigned)(flags & ~known));
    }
    /* Section 1 and 3: the geometry follows from the settings. */
    const int64_t record_header = (flags & SHM_FLAG_TIMESTAMPS) != 0 ? 32 : 16;
    const int64_t ctl_length = control_length(max_publishers, max_subscribers);
    const int64_t data_offset = align_up(SHM_HEADER_LENGTH + ctl_length, SHM_REGION_ALIGNMENT);
    const int64_t file_length = data_offset + capacity;
    const struct { const char *what; int64_t found; int64_t expected; } fields[] = {
        {"record header length", hload32(h, H_RECORD_HEADER), record_header},
        {"control region offset", hload64(h, H_CONTROL_OFFSET), SHM_HEADER_LENGTH},
        {"control region length", hload64(h, H_CONTROL_LENGTH), ctl_length},
        {"data ring offset", hload64(h, H_DATA_OFFSET), data_offset},
        {"file length", hload64(h, H_FILE_LENGTH), file_length},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    {
        if (fields[i].found != fields[i].expected)
        {
            return fail(t, SHM_EINVALID, "%s is %lld but the topic's settings give %lld", fields[i].what,
                (long long)fields[i].found, (long long)fields[i].expected);
        }
    }
    if (file_size < file_length)
    {
        return fail(t, SHM_EINVALID, "file is %lld bytes but its header says %lld (truncated?)",
            (long long)file_size, (long long)file_length);
    }
    const int32_t name_length = hload32(h, H_NAME_LENGTH);
    if (name_length < 0 || name_length > SHM_MAX_NAME)
    {
        return fail(t, SHM_EINVALID, "topic name length %d is outside 0 to 100", name_length);
    }
    for (int i = H_RESERVED; i < SHM_HEADER_LENGTH; i++)
    {
        if (h[i] != 0)
        {
            return fail(t, SHM_EINVALID, "reserved header byte %d is 0x%02x: bytes 192 to 4095 must be zero "
                "(a file of another layout?)", i, h[i]);
        }
    }
    char name[SHM_MAX_NAME + 1];
    memcpy(name, h + H_NAME, (size_t)name_length);
    name[name_length] = 0;
    if (anonymous && (flags & SHM_FLAG_ANONYMOUS) == 0)
    {
        return fail(t, SHM_EINVALID, "header is not marked anonymous");
    }
    if (!anonymous && (flags & SHM_FLAG_ANONYMOUS) != 0)
    {
        return fail(t, SHM_EINVALID, "header is marked anonymous (a memfd topic's), but this is a named file");
    }
    if (expected_name != NULL && strcmp(name, expected_name) != 0)
    {
        return fail(t, SHM_EINVALID, "header names topic '%s', but it was opened as '%s'", name, expected_name);
    }
    t->capacity = capacity;
    t->mask = capacity - 1;
    t->max_message_length = max_message;
    t->max_publishers = max_publishers;
    t->max_subscribers = max_subscribers;
    t->record_header_length = (int32_t)record_header;
    t->flags = flags;
    t->length = (size_t)file_length;
    memcpy(t->name, name, sizeof name);
    t->control = NULL; /* set by map_checked */
    (void)data_offset;
    return 0;
}

/* Check the header through a mapping of its page, map the whole file, check again through that mapping. */
static int map_checked(shm_topic *t, const char *expected_name, int anonymous)
{
    const long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || page > SHM_REGION_ALIGNMENT || SHM_REGION_ALIGNMENT % page != 0)
    {
        return fail(t, SHM_EINVALID, "the page size %ld does not divide 65536 (section 1)", page);
    }
    struct stat st;
    if (fstat(t->fd, &st) != 0)
    {
        return fail(t, SHM_EIO, "fstat: %s", strerror(errno));
    }
    if (st.st_size < SHM_HEADER_LENGTH)
    {
        return fail(t, SHM_EINVALID, "file is %lld bytes, shorter than the 4096-byte topic header",
            (long long)st.st_size);
    }
    uint8_t *header = mmap(NULL, SHM_HEADER_LENGTH, PROT_READ, MAP_SHARED, t->fd, 0);
    if (header == MAP_FAILED)
    {
        return fail(t, SHM_EIO, "mmap of the header: %s", strerror(errno));
    }
    int r = check_header(t, header, st.st_size, expected_name, anonymous);
    munmap(header, SHM_HEADER_LENGTH);
    if (r < 0)
    {
        return r;
    }
    uint8_t *base = mmap(NULL, t->length, PROT_READ | PROT_WRITE, MAP_SHARED, t->fd, 0);
    if (base == MAP_FAILED)
    {
        return fail(t, SHM_EIO, "mmap of %zu bytes: %s", t->length, strerror(errno));
    }
    const size_t length = t->length;
    if (fstat(t->fd, &st) != 0 || (r = check_header(t, base, st.st_size, expected_name, anonymous)) < 0 ||
        t->length != length)
    {
        munmap(base, length);
        return r < 0 ? r : fail(t, SHM_EINVALID, "the header changed while it was opened");
    }
    t->base = base;
    t->control = base + SHM_HEADER_LENGTH;
    t->data = base + hload64(base, H_DATA_OFFSET);
    return 0;
}

static void topic_init(shm_topic *t, const char *source)
{
    memset(t, 0, sizeof *t);
    t->fd = -1;
    snprintf(t->source, sizeof t->source, "%s", source);
    shm_register_barrier();
}

int shm_topic_open(shm_topic *t, const char *path, const char *expected_name)
{
    topic_init(t, path);
    const char *slash = strrchr(path, '/');
    const char *base_name = expected_name != NULL ? expected_name : slash != NULL ? slash + 1 : path;
    t->fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (t->fd < 0)
    {
        return fail(t, SHM_EIO, "cannot open: %s", strerror(errno));
    }
    /* Section 4: every open mapping holds byte 512 shared; a cleaner holding it exclusively is unlinking it. */
    const int locked = ofd_lock(t->fd, L_ATTACHED, F_RDLCK);
    if (locked <= 0)
    {
        const int code = locked == 0 ? fail(t, SHM_EBUSY, "the topic is being removed (its attached lock is held)") :
            fail(t, SHM_EIO, "attached lock: %s", strerror(errno));
        close(t->fd);
        t->fd = -1;
        return code;
    }
    /* The name must still be the file that was opened (a cleaner may have unlinked it meanwhile). */
    struct stat by_name;
    struct stat by_fd;
    if (lstat(path, &by_name) != 0 || fstat(t->fd, &by_fd) != 0 || by_name.st_ino != by_fd.st_ino ||
        by_name.st_dev != by_fd.st_dev)
    {
        close(t->fd);
        t->fd = -1;
        return fail(t, SHM_EBUSY, "the file was removed or replaced while it was opened");
    }
    const int r = map_checked(t, base_name, 0);
    if (r < 0)
    {
        close(t->fd);
        t->fd = -1;
    }
    return r;
}

int shm_topic_open_received(shm_topic *t, int fd, const char *label)
{
    char source[160];
    snprintf(source, sizeof source, "memfd:shmbus:%s (received)", label);
    topic_init(t, source);
    t->fd = fd;
    /* A received descriptor is trusted only when its size can never change: a peer that shrank it would make
     * this process's next access a SIGBUS. */
    const int seals = fcntl(fd, F_GET_SEALS);
    int r;
    if (seals < 0)
    {
        r = fail(t, SHM_EREFUSED, "the descriptor is not a memfd that can be sealed (%s): a peer could truncate "
            "it under this process", strerror(errno));
    }
    else if ((seals & (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)) != (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL))
    {
        r = fail(t, SHM_EREFUSED, "the descriptor is not sealed against resizing (seals 0x%x, need 0x%x): a peer "
            "could truncate it under this process", (unsigned)seals,
            (unsigned)(F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL));
    }
    else
    {
        const int locked = ofd_lock(fd, L_ATTACHED, F_RDLCK);
        r = locked == 1 ? map_checked(t, label, 1) :
            fail(t, SHM_EBUSY, "the topic is being removed (%s)", locked == 0 ? "attached lock held" : strerror(errno));
    }
    if (r < 0)
    {
        close(fd);
        t->fd = -1;
    }
    return r;
}

static int valid_label(const char *label)
{
    const size_t n = strlen(label);
    if (n == 0 || n > SHM_MAX_NAME || label[0] == '.')
    {
        return 0;
    }
    for (size_t i = 0; i < n; i++)
    {
        const char c = label[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
            c == '-'))
        {
            return 0;
        }
    }
    return 1;
}

int shm_topic_join_anonymous(shm_topic *t, const char *address, int timeout_ms)
{
    topic_init(t, address);
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    socklen_t sa_length;
    if (address[0] == '@')
    {
        /* The abstract namespace: a NUL, then the name, and the length counts exactly those bytes. */
        const size_t n = strlen(address + 1);
        if (n == 0 || n > sizeof sa.sun_path - 1)
        {
            return fail(t, SHM_EIO, "abstract socket name of %zu bytes", n);
        }
        memcpy(sa.sun_path + 1, address + 1, n);
        sa_length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
    }
    else
    {
        const size_t n = strlen(address);
        if (n == 0 || n > sizeof sa.sun_path - 1)
        {
            return fail(t, SHM_EIO, "socket path of %zu bytes", n);
        }
        memcpy(sa.sun_path, address, n);
        sa_length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
    }
    const int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
    {
        return fail(t, SHM_EIO, "socket: %s", strerror(errno));
    }
    if (connect(s, (struct sockaddr *)&sa, sa_length) != 0)
    {
        const int e = errno;
        close(s);
        return fail(t, SHM_EREFUSED, "no process offers a topic here (%s)", strerror(e));
    }
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

    /* The owner sends one message and closes: "SHMBUS1 OK <label>" with the descriptor (SCM_RIGHTS) attached to
     * its bytes, or "SHMBUS1 DENIED <reason>" without one. Read to the end of the stream. */
    char payload[513];
    size_t got = 0;
    int received_fd = -1;
    int r = 0;
    while (got < sizeof payload - 1)
    {
        union { struct cmsghdr header; char space[CMSG_SPACE(sizeof(int) * 4)]; } control;
        struct iovec iov = {payload + got, sizeof payload - 1 - got};
        struct msghdr msg;
        memset(&msg, 0, sizeof msg);
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.space;
        msg.msg_controllen = sizeof control.space;
        const ssize_t n = recvmsg(s, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0)
        {
            if (errno == EINTR)
            {
                continue;
            }
            r = fail(t, SHM_EREFUSED, errno == EAGAIN ? "the owner did not answer within %d ms" :
                "receiving the topic failed (%d ms)", timeout_ms);
            break;
        }
        int descriptors = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c))
        {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
            {
                const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < count; i++)
                {
                    int fd;
                    memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                    if (received_fd < 0 && descriptors == 0)
                    {
                        received_fd = fd;
                    }
                    else
                    {
                        close(fd);
                        r = SHM_EREFUSED;
                    }
                    descriptors++;
                }
            }
        }
        if ((msg.msg_flags & MSG_CTRUNC) != 0 || r < 0)
        {
            r = fail(t, SHM_EREFUSED, "the owner attached more than one descriptor");
            break;
        }
        if (n == 0)
        {
            break;
        }
        got += (size_t)n;
    }
    close(s);
    payload[got] = 0;
    if (r == 0)
    {
        for (size_t i = 0; i < got; i++)
        {
            if (payload[i] < 0x20 || payload[i] > 0x7e)
            {
                payload[i] = '?';
            }
        }
        if (strncmp(payload, "SHMBUS1 ", 8) != 0)
        {
            r = fail(t, SHM_EREFUSED, "the peer does not speak the shmbus share protocol: '%s'", payload);
        }
        else if (strncmp(payload + 8, "DENIED ", 7) == 0)
        {
            r = fail(t, SHM_EREFUSED, "refused by the owner: %s", payload + 15);
        }
        else if (strncmp(payload + 8, "OK ", 3) != 0 || received_fd < 0)
        {
            r = fail(t, SHM_EREFUSED, "the owner sent no descriptor: '%s'", payload);
        }
        else if (!valid_label(payload + 11))
        {
            r = fail(t, SHM_EREFUSED, "the owner sent an invalid topic label: '%s'", payload + 11);
        }
    }
    if (r < 0)
    {
        if (received_fd >= 0)
        {
            close(received_fd);
        }
        return r;
    }
    return shm_topic_open_received(t, received_fd, payload + 11);
}

void shm_topic_close(shm_topic *t)
{
    if (t->base != NULL)
    {
        munmap(t->base, t->length);
        t->base = NULL;
    }
    if (t->fd >= 0)
    {
        /* Section 4: the mapping's descriptor releases its attached lock explicitly. */
        ofd_unlock(t->fd, L_ATTACHED);
        close(t->fd);
        t->fd = -1;
    }
}

/* ------------------------------------------------------------------ positions and rounds (sections 5 and 6) */

int64_t shm_tail(const shm_topic *t)
{
    return cload64(t, C_TAIL, memory_order_seq_cst);
}

/* Section 5: positions from the control region are record boundaries from 0 to 2^62. */
static int check_position(shm_topic *t, int64_t position, const char *what)
{
    if (position < 0 || position > SHM_MAX_POSITION || (position & (SHM_ALIGNMENT - 1)) != 0)
    {
        return corrupt(t, "%s %lld is not a record boundary (a multiple of 16 from 0 to 2^62)", what,
            (long long)position);
    }
    return 0;
}

/* Section 5, "Reading": a committed length, validated before use. Returns the aligned length or an error. */
static int32_t check_record(shm_topic *t, int64_t index, int32_t length, int16_t kind, int64_t position)
{
    /* L itself against the room left: align16(L) overflows for L near 2^31. Padding over a hole at index 0
     * runs past the ring's end (5.3), up to a whole ring; its bytes past the header are never read. */
    if (length < 16 || (length > t->capacity - index && (kind != SHM_KIND_PADDING || length > t->capacity)))
    {
        return corrupt(t, "record length %d at position %lld (index %lld) does not fit the ring (capacity %lld)",
            length, (long long)position, (long long)index, (long long)t->capacity);
    }
    if (kind == SHM_KIND_MESSAGE)
    {
        if (length < t->record_header_length || length > t->record_header_length + t->max_message_length)
        {
            return corrupt(t, "message record length %d at position %lld is outside %d to %d", length,
                (long long)position, t->record_header_length, t->record_header_length + t->max_message_length);
        }
    }
    else if (kind != SHM_KIND_PADDING)
    {
        return corrupt(t, "record kind %d at position %lld is neither message nor padding", kind,
            (long long)position);
    }
    return align16(length);
}

/* Section 6, untethered readers: read (cleanLimit - capacity, cleanCount) consistently. The order of the three
 * loads matters: a round stores cleanIntent first and cleanCount, cleanLimit last, so a reader that loads the
 * limit, then the count, then the intent, and finds intent == limit, read the count of that very limit.
 * Returns 1 read, 0 a round is running (try again), or an error. */
static int read_oldest(shm_topic *t, int64_t *oldest, int64_t *count)
{
    const int64_t limit = cload64(t, C_CLEAN_LIMIT, memory_order_acquire);
    const int64_t messages = cload64(t, C_CLEAN_COUNT, memory_order_acquire);
    const int64_t intent = cload64(t, C_CLEAN_INTENT, memory_order_acquire);
    if (intent != limit)
    {
        return 0;
    }
    int r = check_position(t, limit - t->capacity, "cleanLimit - capacity");
    if (r < 0)
    {
        return r;
    }
    /* The tail, read after the limit, is never behind the oldest retained record. */
    const int64_t tail = cload64(t, C_TAIL, memory_order_acquire);
    if (limit - t->capacity > tail)
    {
        return corrupt(t, "cleanLimit %lld is more than a ring (%lld bytes) ahead of the tail %lld",
            (long long)limit, (long long)t->capacity, (long long)tail);
    }
    if (messages < 0)
    {
        return corrupt(t, "cleanCount %lld is negative", (long long)messages);
    }
    *oldest = limit - t->capacity;
    *count = messages;
    return 1;
}

static int is_lapped(const shm_topic *t, int64_t position)
{
    return cload64(t, C_CLEAN_INTENT, memory_order_seq_cst) > position + t->capacity;
}

static int is_quiescent(const shm_topic *t)
{
    return cload64(t, C_CLEAN_LOCK, memory_order_seq_cst) == 0 &&
        cload64(t, C_CLEAN_INTENT, memory_order_seq_cst) == cload64(t, C_CLEAN_LIMIT, memory_order_seq_cst);
}

/* Wait for a cleaning round to end (joins and walks), failing after 10 s without progress. */
typedef struct round_watch
{
    int64_t word;
    int64_t intent;
    int32_t sequence;
    int64_t since;
} round_watch;

static int watch_round(shm_topic *t, round_watch *w, int32_t my_code, int64_t patience_ns);

#define JOIN_PATIENCE_NS 1000000LL    /* 11.8: a joiner takes over a round without progress for 1 ms */
#define PUBLISH_PATIENCE_NS 200000LL  /* 9.5: a publisher's patience, as the Java implementation's */

typedef struct round_wait
{
    int32_t code;                     /* the joiner's code, to take a stalled round over */
    round_watch watch;
    int64_t deadline;
    int64_t seen_intent;
    int64_t seen_limit;
    int64_t pause;
} round_wait;

static void round_wait_init(round_wait *w, int32_t code)
{
    w->code = code;
    w->watch.word = 0;
    w->deadline = shm_now_ns() + LOCK_TIMEOUT_NS;
    w->seen_intent = INT64_MIN;
    w->seen_limit = INT64_MIN;
    w->pause = 1000;
}

static int round_wait_once(shm_topic *t, round_wait *w)
{
    const int64_t intent = cload64(t, C_CLEAN_INTENT, memory_order_seq_cst);
    const int64_t limit = cload64(t, C_CLEAN_LIMIT, memory_order_seq_cst);
    const int64_t now = shm_now_ns();
    if (intent != w->seen_intent || limit != w->seen_limit)
    {
        w->seen_intent = intent;
        w->seen_limit = limit;
        w->deadline = now + LOCK_TIMEOUT_NS;
        w->pause = 1000;
    }
    else if (intent < limit || intent - limit > t->capacity)
    {
        return corrupt(t, "cleanIntent %lld is not within one ring above cleanLimit %lld", (long long)intent,
            (long long)limit);
    }
    else if (now > w->deadline)
    {
        return fail(t, SHM_EBUSY, "a cleaning round made no progress for 10 s (cleanLock %lld)",
            (long long)cload64(t, C_CLEAN_LOCK, memory_order_seq_cst));
    }
    /* 11.8: a join never waits on a stopped owner, even with no publisher left to take its round over. */
    const int r = watch_round(t, &w->watch, w->code, JOIN_PATIENCE_NS);
    if (r < 0)
    {
        return r;
    }
    pause_ns(w->pause);
    if (w->pause < 1000000)
    {
        w->pause *= 2;
    }
    return 0;
}

/* Section 6, step 2: the slowest tethered or durable subscriber, never below floor; INT64_MAX when none. */
static int64_t min_tethered_position(shm_topic *t, int64_t floor)
{
    int64_t min = INT64_MAX;
    int64_t now_ms = 0;
    for (int i = 0; i < t->max_subscribers; i++)
    {
        const size_t slot = C_PUBLISHER_SLOTS + (size_t)P_LENGTH * t->max_publishers + (size_t)S_LENGTH * i;
        const int32_t state = cload32(t, slot + S_STATE, memory_order_seq_cst);
        if (state == STATE_FREE || cload32(t, slot + S_POLICY, memory_order_relaxed) == SHM_POLICY_UNTETHERED)
        {
            continue;
        }
        /* 10.4: a slow subscriber a publisher demoted (demoted = 1, at slot offset 104, zero where the topic's
         * writers do not demote) holds no round back either. The C subscribers never ask to be demoted. */
        if (cload32(t, slot + S_DEMOTED, memory_order_seq_cst) != 0)
        {
            continue;
        }
        if (state == STATE_DETACHED)
        {
            /* A durable subscriber that is away counts until now - detachedMs > holdLimitMs (holdLimitMs -1:
             * for ever). */
            const int64_t hold = cload64(t, slot + S_HOLD_LIMIT_MS, memory_order_relaxed);
            if (hold >= 0)
            {
                now_ms = now_ms == 0 ? epoch_ms() : now_ms;
                if (now_ms - cload64(t, slot + S_DETACHED_MS, memory_order_relaxed) > hold)
                {
                    continue;
                }
            }
        }
        const int64_t position = cload64(t, slot + S_POSITION, memory_order_seq_cst);
        const int64_t held = position > floor ? position : floor;
        min = held < min ? held : min;
    }
    return min;
}

/* ------------------------------------------------------------------ cleaning rounds (section 10) */

#define CLEAN_BUSY (-1)

static int64_t round_stall_ns;
static int round_stall_every = 1;
static int64_t round_stall_points;

void shm_set_round_stall(int64_t ns, int every)
{
    round_stall_ns = ns;
    round_stall_every = every < 1 ? 1 : every;
}

static void round_stall(void)
{
    if (round_stall_ns > 0 && ++round_stall_points % round_stall_every == 0)
    {
        pause_ns(round_stall_ns);
    }
}

static inline int cas64(const shm_topic *t, size_t offset, int64_t expected, int64_t desired)
{
    return atomic_compare_exchange_strong(A64(t->control + offset), &expected, desired);
}

static inline int cas32(const shm_topic *t, size_t offset, int32_t expected, int32_t desired)
{
    return atomic_compare_exchange_strong(A32(t->control + offset), &expected, desired);
}

static inline int64_t cadd64(const shm_topic *t, size_t offset, int64_t delta)
{
    return atomic_fetch_add_explicit(A64(t->control + offset), delta, memory_order_seq_cst);
}

/* Section 4.1: the cleanLock word of a round run by code, starting from the cleanLimit limit. */
static int64_t lock_word(int32_t code, int announced, int64_t limit)
{
    const uint64_t epoch = ((uint64_t)limit >> 4) & (uint64_t)LOCK_EPOCH_MASK;
    return (int64_t)((uint64_t)(uint32_t)code | (announced ? (uint64_t)LOCK_ANNOUNCED : 0) |
        epoch << LOCK_EPOCH_SHIFT);
}

static int32_t lock_code(int64_t word)
{
    return (int32_t)(uint32_t)((uint64_t)word & 0xFFFFFFFFu);
}

static int lock_announced(int64_t word)
{
    return (word & LOCK_ANNOUNCED) != 0;
}

static int lock_of_limit(int64_t word, int64_t limit)
{
    return ((uint64_t)word >> LOCK_EPOCH_SHIFT) == (((uint64_t)limit >> 4) & (uint64_t)LOCK_EPOCH_MASK);
}

/* Section 16: a cleanLock word is 0, or names a publisher (1 .. maxPublishers) or subscriber (-1 ..
 * -maxSubscribers) with bit 63 clear. */
static int check_lock_word(shm_topic *t, int64_t word)
{
    const int32_t code = lock_code(word);
    if (word < 0 || (code == 0 && word != 0) || code > t->max_publishers || code < -t->max_subscribers)
    {
        return corrupt(t, "cleanLock holds %lld, which is no participant's word (code %d)", (long long)word, code);
    }
    return 0;
}

/* Section 4.4: the round area of a participant's code (checked beforehand by check_lock_word, or our own). */
static size_t area_of(const shm_topic *t, int32_t code)
{
    if (code > 0)
    {
        return C_PUBLISHER_SLOTS + (size_t)P_LENGTH * (size_t)(code - 1) + P_ROUND_AREA;
    }
    return C_PUBLISHER_SLOTS + (size_t)P_LENGTH * (size_t)t->max_publishers + (size_t)S_LENGTH * (size_t)(-code - 1) +
        S_ROUND_AREA;
}

/* Section 10.7, step 5: the end of a step. If a taker made it a hole meanwhile, clear it and uncount it. */
static void end_step(shm_topic *t, size_t area)
{
    if (!cas32(t, area + RA_STEP_STATE, STEP_ACTIVE, STEP_IDLE))
    {
        cstore32(t, area + RA_STEP_STATE, STEP_IDLE, memory_order_seq_cst);
        cadd64(t, C_CLEAN_HOLES, -1);
    }
}

/* Section 10.7: zero [from, to) (one step: at most 4096 bytes, never across the ring's end) if the round whose
 * word is word is still ours. Returns 1 zeroed, 0 the round was lost (nothing zeroed). */
static int zero_step(shm_topic *t, int64_t word, size_t area, int64_t from, int64_t to)
{
    /* Step 1: the range, plainly, then the state with seq_cst. With the lock load below (seq_cst too) this is one
     * side of a Dekker pair whose other side is a taker's CAS of cleanLock then its load of our state: one of the two
     * loads sees the other side's store, so either we see the lock gone and do not zero, or the taker sees us active
     * and makes the step a hole. */
    cstore32(t, area + RA_STEP_SEQUENCE, cload32(t, area + RA_STEP_SEQUENCE, memory_order_relaxed) + 1,
        memory_order_relaxed);
    cstore64(t, area + RA_STEP_FROM, from, memory_order_relaxed);
    cstore64(t, area + RA_STEP_TO, to, memory_order_relaxed);
    cstore32(t, area + RA_STEP_STATE, STEP_ACTIVE, memory_order_seq_cst);
    const int mine = cload64(t, C_CLEAN_LOCK, memory_order_seq_cst) == word;
    if (mine)
    {
        round_stall();
        memset(t->data + (from & t->mask), 0, (size_t)(to - from));
        /* Fails when another cleaner zeroed this step first (it took the round over inside it): nothing to do. */
        cas64(t, C_CLEAN_ZEROED, from, to);
    }
    end_step(t, area);
    return mine;
}

/* Section 10.2 step 9.1: CAS a round word from its value before the round to the round's. Returns 1 when the word holds
 * the round's value now, 0 when the round is no longer ours, or an error. */
static int publish_word(shm_topic *t, size_t offset, int64_t before, int64_t value, int64_t word, const char *what)
{
    if (cas64(t, offset, before, value))
    {
        return 1;
    }
    const int64_t now = cload64(t, offset, memory_order_seq_cst);
    if (now == value)
    {
        return 1; /* the owner we took over from, or our taker, stored it first */
    }
    if (cload64(t, C_CLEAN_LOCK, memory_order_seq_cst) != word)
    {
        return 0;
    }
    return corrupt(t, "%s %lld is neither %lld nor %lld during a cleaning round", what, (long long)now,
        (long long)before, (long long)value);
}

/* Section 10.2 step 9: publish an announced round, zero it in steps from where cleanZeroed got to, and commit it
 * if the lock is still ours. Returns 1 committed, 0 the round is no longer ours, or an error. */
static int complete_round(shm_topic *t, int64_t word, size_t area, int64_t limit, int64_t base, int64_t intent,
    int64_t pending)
{
    int r = publish_word(t, C_CLEAN_PENDING, base, pending, word, "cleanPending");
    if (r <= 0 || (r = publish_word(t, C_CLEAN_INTENT, limit, intent, word, "cleanIntent")) <= 0)
    {
        return r;
    }
    /* Step 9.2: the intent before any zeroed byte, for an untethered reader that copies a zeroed byte, then
     * (acquire fence) loads the intent. Only stores need ordering after the CAS, and a release fence orders every
     * earlier access before every later store: nothing on x86 (stores are not reordered with stores), dmb ish on
     * AArch64, which keeps the plain stores of memset below behind the CAS. No later load needs ordering here: the
     * lock checks of the steps are seq_cst loads after seq_cst stores of their own. */
    atomic_thread_fence(memory_order_release);
    while (1)
    {
        const int64_t zeroed = cload64(t, C_CLEAN_ZEROED, memory_order_acquire);
        if (zeroed < limit || zeroed > intent)
        {
            if (cload64(t, C_CLEAN_LOCK, memory_order_seq_cst) != word)
            {
                return 0; /* a later round moved it on */
            }
            return corrupt(t, "cleanZeroed %lld is outside the round's %lld to %lld", (long long)zeroed,
                (long long)limit, (long long)intent);
        }
        if (zeroed == intent)
        {
            break;
        }
        const int64_t room = t->capacity - (zeroed & t->mask);
        const int64_t step = room < STEP_BYTES ? room : STEP_BYTES;
        const int64_t to = intent < zeroed + step ? intent : zeroed + step;
        if (!zero_step(t, word, area, zeroed, to))
        {
            return 0;
        }
    }
    round_stall();
    /* Step 9.4: only the owner still holding the lock commits (10.7). */
    if (cload64(t, C_CLEAN_LOCK, memory_order_seq_cst) != word)
    {
        return 0;
    }
    cas64(t, C_CLEAN_COUNT, base, pending);
    cas64(t, C_CLEAN_LIMIT, limit, intent);
    return 1;
}

/* Section 10.7: the owner's step under way becomes a hole, counted before it is marked. */
static void mark_hole(shm_topic *t, size_t area)
{
    if (cload32(t, area + RA_STEP_STATE, memory_order_seq_cst) != STEP_ACTIVE)
    {
        return;
    }
    cadd64(t, C_CLEAN_HOLES, 1);
    if (!cas32(t, area + RA_STEP_STATE, STEP_ACTIVE, STEP_HOLE))
    {
        cadd64(t, C_CLEAN_HOLES, -1);
    }
}

/* Section 10.6: take over the round held by seen (checked by check_lock_word), with our code my_code. Returns 1
 * taken (finished or dropped, and released), 0 the lock had changed, or an error. */
static int take_over(shm_topic *t, int64_t seen, int32_t my_code)
{
    if (seen == 0)
    {
        return 0;
    }
    if (!lock_announced(seen))
    {
        /* Its owner is walking: nothing of the round is published, and its announcing CAS will fail. */
        if (!cas64(t, C_CLEAN_LOCK, seen, 0))
        {
            return 0;
        }
        cadd64(t, C_TAKEOVERS, 1);
        return 1;
    }
    const int32_t owner = lock_code(seen);
    const size_t owner_area = area_of(t, owner);
    const int64_t limit = cload64(t, C_CLEAN_LIMIT, memory_order_acquire);
    int r = check_position(t, limit, "cleanLimit");
    if (r < 0)
    {
        return r;
    }
    const int64_t base = cload64(t, C_CLEAN_COUNT, memory_order_acquire);
    const int64_t intent = cload64(t, owner_area + RA_PROPOSAL_LIMIT, memory_order_acquire);
    const int64_t pending = cload64(t, owner_area + RA_PROPOSAL_COUNT, memory_order_acquire);
    if (!lock_of_limit(seen, limit) || cload64(t, C_CLEAN_LOCK, memory_order_seq_cst) != seen)
    {
        return 0; /* the round we watched ended meanwhile */
    }
    /* The proposal in our own area before the CAS that names us, for whoever takes the round from us in turn. */
    const size_t area = area_of(t, my_code);
    if (area != owner_area)
    {
        cstore64(t, area + RA_PROPOSAL_LIMIT, intent, memory_order_relaxed);
        cstore64(t, area + RA_PROPOSAL_COUNT, pending, memory_order_relaxed);
    }
    const int64_t mine = lock_word(my_code, 1, limit);
    if (!cas64(t, C_CLEAN_LOCK, seen, mine))
    {
        return 0;
    }
    if (owner != my_code)
    {
        mark_hole(t, owner_area);
    }
    cadd64(t, C_TAKEOVERS, 1);
    r = 1;
    if (cload64(t, C_CLEAN_LIMIT, memory_order_acquire) == limit)
    {
        if (intent <= limit || intent - limit > t->capacity || (intent & (SHM_ALIGNMENT - 1)) != 0)
        {
            r = corrupt(t, "the announced round's limit %lld is not within one ring above cleanLimit %lld",
                (long long)intent, (long long)limit);
        }
        else if (pending < base || base < 0)
        {
            r = corrupt(t, "the announced round's count %lld is below cleanCount %lld", (long long)pending,
                (long long)base);
        }
        else
        {
            r = complete_round(t, mine, area, limit, base, intent, pending);
            r = r < 0 ? r : 1;
        }
    }
    cas64(t, C_CLEAN_LOCK, mine, 0);
    return r;
}

/* Section 10.6: what tells a stalled round from a slow one. Watch the held word; take the round over when the word,
 * its owner's stepSequence and cleanIntent stayed the same for patience_ns. Returns 1 taken, 0 not, or an error. */
static int watch_round(shm_topic *t, round_watch *w, int32_t my_code, int64_t patience_ns)
{
    const int64_t word = cload64(t, C_CLEAN_LOCK, memory_order_seq_cst);
    int r = check_lock_word(t, word);
    if (r < 0 || word == 0)
    {
        w->word = 0;
        return r;
    }
    const int32_t sequence = cload32(t, area_of(t, lock_code(word)) + RA_STEP_SEQUENCE, memory_order_seq_cst);
    const int64_t intent = cload64(t, C_CLEAN_INTENT, memory_order_seq_cst);
    const int64_t now = shm_now_ns();
    if (word != w->word || sequence != w->sequence || intent != w->intent)
    {
        w->word = word;
        w->sequence = sequence;
        w->intent = intent;
        w->since = now;
        return 0;
    }
    if (now - w->since < patience_ns)
    {
        return 0;
    }
    w->word = 0;
    return take_over(t, word, my_code);
}

/* Sections 15.3 step 1 and 15.6: the round area of a participant known dead (its slot lock is ours): a step it
 * had under way is over, and a hole it left is zeroed here (it can no longer do it) and released. */
static int settle_dead_area(shm_topic *t, size_t area)
{
    if (cload32(t, area + RA_STEP_STATE, memory_order_seq_cst) == STEP_ACTIVE &&
        cas32(t, area + RA_STEP_STATE, STEP_ACTIVE, STEP_IDLE))
    {
        return 0;
    }
    if (cload32(t, area + RA_STEP_STATE, memory_order_seq_cst) != STEP_HOLE)
    {
        return 0;
    }
    const int64_t from = cload64(t, area + RA_STEP_FROM, memory_order_relaxed);
    const int64_t to = cload64(t, area + RA_STEP_TO, memory_order_relaxed);
    const int64_t index = from & t->mask;
    if (from < 0 || to <= from || to - from > STEP_BYTES || index + (to - from) > t->capacity)
    {
        return corrupt(t, "a hole spans %lld to %lld, which is no zeroing step", (long long)from, (long long)to);
    }
    memset(t->data + index, 0, (size_t)(to - from));
    cstore32(t, area + RA_STEP_STATE, STEP_IDLE, memory_order_seq_cst);
    cadd64(t, C_CLEAN_HOLES, -1);
    return 1;
}

/* Section 10.2: one cleaning round, with our code, so that a claim ending at required_end fits. Returns the clean
 * limit after the round, CLEAN_BUSY, or an error. */
static int64_t reclaim(shm_topic *t, int64_t required_end, int32_t code)
{
    const int64_t limit = cload64(t, C_CLEAN_LIMIT, memory_order_acquire);
    int64_t result = check_position(t, limit, "cleanLimit");
    if (result < 0)
    {
        return result;
    }
    /* Step 1: the word names the round's epoch, so a taker's CAS from a word it read can only take that round. */
    const int64_t word = lock_word(code, 0, limit);
    if (!cas64(t, C_CLEAN_LOCK, 0, word))
    {
        return CLEAN_BUSY;
    }
    int64_t held = word;
    if (cload64(t, C_CLEAN_LIMIT, memory_order_acquire) != limit)
    {
        result = CLEAN_BUSY; /* a round committed between the load and the CAS: the word names the wrong epoch */
        goto out;
    }
    if (limit - SHM_ALIGNMENT >= required_end)
    {
        result = limit;
        goto out;
    }
    const int64_t from = limit - t->capacity;
    const int64_t minimum = required_end + SHM_ALIGNMENT - t->capacity;
    const int64_t tethered = min_tethered_position(t, from);
    /* At least a quarter ring (and what the claim needs), never past the slowest tethered subscriber, and never
     * more than half a ring in one round. */
    int64_t bound = from + t->capacity / 4;
    bound = bound > minimum ? bound : minimum;
    bound = bound < tethered ? bound : tethered;
    bound = bound < from + t->capacity / 2 ? bound : from + t->capacity / 2;
    int64_t position = from;
    int64_t messages = 0;
    while (position < bound)
    {
        const int64_t index = position & t->mask;
        const int32_t length = dload32(t, index, memory_order_acquire);
        if (length <= 0)
        {
            break; /* not committed: its publisher is writing, or died (a repair makes it padding) */
        }
        const int16_t kind = dload16(t, index + R_KIND);
        const int32_t aligned = check_record(t, index, length, kind, position);
        if (aligned < 0)
        {
            /* Step 6: the walked records are stable only while the round is ours. Once it was taken over, later
             * rounds let publishers write over them: a bad record is corruption only under a lock still ours. */
            if (cload64(t, C_CLEAN_LOCK, memory_order_seq_cst) != word)
            {
                held = 0;
                result = CLEAN_BUSY;
            }
            else
            {
                result = aligned;
            }
            goto out;
        }
        if (position + aligned > tethered)
        {
            break;
        }
        if (kind == SHM_KIND_MESSAGE)
        {
            messages++;
        }
        position += aligned;
    }
    if (position == from)
    {
        result = limit;
        goto out;
    }
    /* Step 8: the proposal in our round area, then announced. */
    const int64_t intent = position + t->capacity;
    const int64_t base = cload64(t, C_CLEAN_COUNT, memory_order_acquire);
    const size_t area = area_of(t, code);
    cstore64(t, area + RA_PROPOSAL_LIMIT, intent, memory_order_relaxed);
    cstore64(t, area + RA_PROPOSAL_COUNT, base + messages, memory_order_relaxed);
    round_stall();
    const int64_t announced = word | LOCK_ANNOUNCED;
    if (!cas64(t, C_CLEAN_LOCK, word, announced))
    {
        held = 0;
        result = CLEAN_BUSY; /* taken over before it was announced: nothing of this round was published */
        goto out;
    }
    held = announced;
    const int done = complete_round(t, announced, area, limit, base, intent, base + messages);
    result = done < 0 ? done : done ? intent : CLEAN_BUSY;
out:
    /* Step 11: release; fails harmlessly when the round was taken from us. */
    if (held != 0)
    {
        cas64(t, C_CLEAN_LOCK, held, 0);
    }
    return result;
}

/* Section 10.7: the pad target of a claim from tail that would end at end, when a hole lies in [tail, end + 16):
 * the end of that hole, extended over holes that start within 16 bytes of it; tail when none is in the way.
 * *nearest: the start of the nearest hole occurrence past the tail (INT64_MAX: none). Negative: an error. */
static int64_t pad_target(shm_topic *t, int64_t tail, int64_t end, int64_t *nearest)
{
    int64_t target = tail;
    int64_t reach = end + SHM_ALIGNMENT;
    int64_t near = INT64_MAX;
    const int64_t lap = tail - (tail & t->mask);
    int grew = 1;
    while (grew)
    {
        grew = 0;
        for (int i = 0; i < t->max_publishers + t->max_subscribers; i++)
        {
            const size_t area = i < t->max_publishers ? area_of(t, i + 1) : area_of(t, -(i - t->max_publishers + 1));
            const int32_t sequence = cload32(t, area + RA_STEP_SEQUENCE, memory_order_seq_cst);
            if (cload32(t, area + RA_STEP_STATE, memory_order_seq_cst) != STEP_HOLE)
            {
                continue;
            }
            const int64_t from = cload64(t, area + RA_STEP_FROM, memory_order_seq_cst);
            const int64_t to = cload64(t, area + RA_STEP_TO, memory_order_seq_cst);
            if (cload32(t, area + RA_STEP_STATE, memory_order_seq_cst) != STEP_HOLE ||
                cload32(t, area + RA_STEP_SEQUENCE, memory_order_seq_cst) != sequence)
            {
                continue; /* cleared, or another step began, while it was read: not a hole now */
            }
            const int64_t start = from & t->mask;
            const int64_t length = to - from;
            if (from < 0 || length <= 0 || length > STEP_BYTES || start + length > t->capacity)
            {
                return corrupt(t, "a hole spans %lld to %lld, which is no zeroing step", (long long)from,
                    (long long)to);
            }
            /* Its ring bytes as positions in the tail's lap and in the next one. */
            for (int64_t at = lap + start; at <= lap + t->capacity + start; at += t->capacity)
            {
                if (at <= tail)
                {
                    continue; /* behind the tail, or the tail inside it: ignored (10.7) */
                }
                near = at < near ? at : near;
                if (at < reach && at + length > target)
                {
                    target = at + length;
                    reach = target + SHM_ALIGNMENT;
                    grew = 1;
                }
            }
        }
    }
    *nearest = near;
    return target;
}

/* ------------------------------------------------------------------ sleeping and waking (section 7) */

typedef int (*ready_fn)(void *argument); /* 1 ready, 0 not, negative error */

typedef struct sleeper
{
    shm_topic *topic;
    size_t signal;
    size_t waiters;
    size_t sleeping_flag;  /* control offset of the slot's sleeping word */
    size_t waits_counter;  /* 0: none */
    size_t timeouts_counter;
    int *sliced;
} sleeper;

/* One or more futex sleeps until ready() or the timeout: returns 1, 0 on timeout, or an error. */
static int sleep_until(sleeper *s, ready_fn ready, void *argument, int64_t timeout_ns, int64_t (*slice)(void *))
{
    shm_topic *t = s->topic;
    int r = ready(argument);
    if (r != 0)
    {
        return r;
    }
    const int64_t deadline = shm_now_ns() + timeout_ns;
    while (1)
    {
        const int32_t seen = cload32(t, s->signal, memory_order_seq_cst);
        /* Count in, flag the slot (a repair takes a dead sleeper out of the count by its flag), then force the
         * barrier on every registered process: a publisher that committed before it has its commit visible to the
         * check below; one that commits after it sees the count. */
        cadd32(t, s->waiters, 1);
        cstore32(t, s->sleeping_flag, 1, memory_order_release);
        if (!*s->sliced && shm_barrier_available() && !issue_expedited_barrier())
        {
            *s->sliced = 1;
        }
        r = ready(argument);
        if (r == 0)
        {
            const int64_t remaining = deadline - shm_now_ns();
            if (remaining <= 0)
            {
                if (s->timeouts_counter != 0)
                {
                    cstore64(t, s->timeouts_counter, cload64(t, s->timeouts_counter, memory_order_relaxed) + 1,
                        memory_order_release);
                }
            }
            else
            {
                if (s->waits_counter != 0)
                {
                    cstore64(t, s->waits_counter, cload64(t, s->waits_counter, memory_order_relaxed) + 1,
                        memory_order_release);
                }
                int64_t nap = slice(argument);
                nap = *s->sliced && nap > FALLBACK_SLICE_NS ? FALLBACK_SLICE_NS : nap;
                futex_wait(t->control + s->signal, seen, remaining < nap ? remaining : nap);
            }
        }
        /* Flag first, count second: a death between the two leaves the count too high, never too low. */
        cstore32(t, s->sleeping_flag, 0, memory_order_release);
        cadd32(t, s->waiters, -1);
        if (r != 0)
        {
            return r;
        }
        if (deadline - shm_now_ns() <= 0)
        {
            return 0;
        }
    }
}

/* The fallback of section 7 for a process without the expedited barrier: count in the fenced-waiters word
 * once, then the slow global barrier (or, without membarrier at all, 1 ms sleeps). */
static void register_blocking(shm_topic *t, size_t blocking_count, size_t blocking_flag, int *registered,
    int *sliced)
{
    if (*registered || shm_barrier_available())
    {
        return;
    }
    *registered = 1;
    cadd32(t, blocking_count, 1);
    if (blocking_flag != 0)
    {
        cstore32(t, blocking_flag, 1, memory_order_seq_cst);
    }
    if (!issue_global_barrier())
    {
        *sliced = 1;
    }
}

static void unregister_blocking(shm_topic *t, size_t blocking_count, size_t blocking_flag, int *registered)
{
    if (*registered)
    {
        *registered = 0;
        if (blocking_flag != 0)
        {
            cstore32(t, blocking_flag, 0, memory_order_seq_cst);
        }
        cadd32(t, blocking_count, -1);
    }
}

static void wake_data(shm_topic *t)
{
    cadd32(t, C_DATA_SIGNAL, 1);
    futex_wake_all(t->control + C_DATA_SIGNAL);
}

static void wake_space(shm_topic *t)
{
    cadd32(t, C_SPACE_SIGNAL, 1);
    futex_wake_all(t->control + C_SPACE_SIGNAL);
}

/* After a subscriber's position store: wake publishers sleeping for space. */
static void after_consume(shm_topic *t)
{
    /* The loads must follow the position store: keep the compiler from hoisting them; the processor's store
     * buffer is what the sleeper's barrier (or the fence below) covers. */
    atomic_signal_fence(memory_order_seq_cst);
    if (!shm_barrier_available() || cload32(t, C_BLOCKING_PUBLISHERS, memory_order_relaxed) != 0)
    {
        atomic_thread_fence(memory_order_seq_cst);
    }
    if (cload32(t, C_SPACE_WAITERS, memory_order_seq_cst) != 0)
    {
        wake_space(t);
    }
}

/* ------------------------------------------------------------------ subscribers */

static size_t subscriber_slot(const shm_topic *t, int index)
{
    return C_PUBLISHER_SLOTS + (size_t)P_LENGTH * t->max_publishers + (size_t)S_LENGTH * index;
}

static size_t publisher_slot(int index)
{
    return C_PUBLISHER_SLOTS + (size_t)P_LENGTH * index;
}

/* Free a dead (non-durable) subscriber's slot: the caller holds the allocation lock and the slot's lock. */
static int repair_dead_subscriber(shm_topic *t, size_t slot)
{
    if (cload32(t, slot + S_SLEEPING, memory_order_seq_cst) != 0)
    {
        cstore32(t, slot + S_SLEEPING, 0, memory_order_seq_cst);
        cadd32(t, C_DATA_WAITERS, -1);
    }
    if (cload32(t, slot + S_BLOCKING, memory_order_relaxed) != 0)
    {
        cstore32(t, slot + S_BLOCKING, 0, memory_order_seq_cst);
        cadd32(t, C_BLOCKING_SUBSCRIBERS, -1);
    }
    /* A joiner may have died inside a round it took over (15.6). */
    const int r = settle_dead_area(t, slot + S_ROUND_AREA);
    if (r < 0)
    {
        return r;
    }
    cstore32(t, slot + S_STATE, STATE_FREE, memory_order_seq_cst);
    if (cload32(t, slot + S_COUNTED, memory_order_seq_cst) != 0)
    {
        cadd32(t, C_SUBSCRIBER_COUNT, -1);
    }
    atomic_fetch_add(A64(t->control + C_RECLAIMS), 1);
    return 0;
}

/* Section 4: take a subscriber slot under the allocation lock. Returns the index or an error. */
static int allocate_subscriber(shm_topic *t, int lock_fd, int policy)
{
    for (int i = 0; i < t->max_subscribers; i++)
    {
        const size_t slot = subscriber_slot(t, i);
        const int32_t state = cload32(t, slot + S_STATE, memory_order_seq_cst);
        if (state == STATE_DETACHED)
        {
            continue; /* a durable subscriber's place, kept for its return (expiry is left to Java peers) */
        }
        if (state == STATE_ACTIVE && cload32(t, slot + S_POLICY, memory_order_relaxed) == SHM_POLICY_DURABLE)
        {
            continue; /* live, or dead and to be resumed by its name */
        }
        const int locked = ofd_lock(lock_fd, L_SUBSCRIBERS + i, F_WRLCK);
        if (locked < 0)
        {
            return fail(t, SHM_EIO, "subscriber slot lock: %s", strerror(errno));
        }
        if (locked == 0)
        {
            continue;
        }
        const int r = state == STATE_ACTIVE ? repair_dead_subscriber(t, slot) : 0; /* died without leaving */
        if (r < 0)
        {
            ofd_unlock(lock_fd, L_SUBSCRIBERS + i);
            return r;
        }
        /* Every field of the slot starts from zero: counted, sleeping, blocking, the counters. */
        memset(t->control + slot, 0, S_LENGTH);
        cstore32(t, slot + S_POLICY, policy, memory_order_relaxed);
        cstore32(t, slot + S_PID, (int32_t)getpid(), memory_order_relaxed);
        return i;
    }
    return fail(t, SHM_EFULL, "no free subscriber slot: all %d are taken", t->max_subscribers);
}

/* Find where an untethered subscriber joining at the tail starts: walk from the oldest record to the first one
 * not committed, checking for a lap after each step. Returns 1 found, 0 lapped (try again), or an error. */
static int walk_from_oldest(shm_topic *t, int64_t *out_position, int64_t *out_index)
{
    int64_t position;
    int64_t messages;
    int r = read_oldest(t, &position, &messages);
    if (r <= 0)
    {
        return r;
    }
    const int64_t tail = cload64(t, C_TAIL, memory_order_acquire);
    const int64_t end = tail < position + t->capacity ? tail : position + t->capacity;
    while (position < end)
    {
        const int64_t index = position & t->mask;
        const int32_t length = dload32(t, index, memory_order_acquire);
        if (length <= 0)
        {
            break;
        }
        const int16_t kind = dload16(t, index + R_KIND);
        atomic_thread_fence(memory_order_acquire);
        if (is_lapped(t, position))
        {
            return 0; /* a lap first: the values read may be a later lap's */
        }
        const int32_t aligned = check_record(t, index, length, kind, position);
        if (aligned < 0)
        {
            return aligned;
        }
        messages += kind == SHM_KIND_MESSAGE;
        position += aligned;
    }
    if (is_lapped(t, position))
    {
        return 0; /* the 0 or negative length that stopped the walk may be a record zeroed or claimed again */
    }
    *out_position = position;
    *out_index = messages;
    return 1;
}

int shm_subscriber_join(shm_topic *t, shm_subscriber *s, int policy, int start_oldest)
{
    memset(s, 0, sizeof *s);
    s->topic = t;
    s->policy = policy;
    s->index = -1;
    if (policy != SHM_POLICY_TETHERED && policy != SHM_POLICY_UNTETHERED)
    {
        return fail(t, SHM_EINVALID, "policy %d: only tethered (1) and untethered (2) subscribers", policy);
    }
    s->lock_fd = open_lock_description(t);
    if (s->lock_fd < 0)
    {
        return s->lock_fd;
    }
    int r = lock_allocation(t, s->lock_fd);
    if (r == 0)
    {
        r = allocate_subscriber(t, s->lock_fd, policy);
        ofd_unlock(s->lock_fd, L_ALLOCATION);
    }
    if (r < 0)
    {
        close(s->lock_fd);
        return r;
    }
    s->index = r;
    s->slot = subscriber_slot(t, s->index);
    const size_t slot = s->slot;
    cstore64(t, slot + S_ATTACHED_MS, epoch_ms(), memory_order_relaxed);
    cstore64(t, slot + S_HOLD_LIMIT_MS, -1, memory_order_relaxed);
    cstore64(t, slot + S_EXPIRE_MS, -1, memory_order_relaxed);

    int64_t position = 0;
    int64_t index = -1;
    round_wait wait;
    round_wait_init(&wait, -(s->index + 1));
    if (policy == SHM_POLICY_TETHERED && !start_oldest)
    {
        position = cload64(t, C_TAIL, memory_order_seq_cst);
        r = check_position(t, position, "tail");
    }
    else
    {
        while ((r = start_oldest ? read_oldest(t, &position, &index) : walk_from_oldest(t, &position, &index)) == 0)
        {
            if ((r = round_wait_once(t, &wait)) < 0)
            {
                break;
            }
        }
        r = r < 0 ? r : 0;
    }
    if (r == 0 && policy == SHM_POLICY_UNTETHERED)
    {
        cstore64(t, slot + S_POSITION, position, memory_order_seq_cst);
        cstore32(t, slot + S_STATE, STATE_ACTIVE, memory_order_seq_cst);
        s->copy_capacity = (size_t)align16(t->record_header_length + t->max_message_length);
        /* C11: the size given to aligned_alloc is a multiple of the alignment. */
        s->copy = aligned_alloc(64, (size_t)align_up((int64_t)s->copy_capacity, 64));
        r = s->copy == NULL ? fail(t, SHM_EIO, "out of memory") : 0;
    }
    else if (r == 0)
    {
        /* Section 6, "Joining tethered": store the position, then (a full fence between the store and the loads:
         * both sides store, then load) wait until no round runs, and move up to the oldest record if a round
         * passed the position meanwhile. A round that starts later takes cleanLock after this store and reads the
         * slots after that. */
        cstore64(t, slot + S_POSITION, position, memory_order_seq_cst);
        cstore64(t, slot + S_MESSAGE_INDEX, -1, memory_order_seq_cst);
        cstore32(t, slot + S_STATE, STATE_ACTIVE, memory_order_seq_cst);
        atomic_thread_fence(memory_order_seq_cst);
        while (1)
        {
            int64_t oldest;
            int64_t count;
            if (!is_quiescent(t) || (r = read_oldest(t, &oldest, &count)) == 0)
            {
                if ((r = round_wait_once(t, &wait)) < 0)
                {
                    break;
                }
                continue;
            }
            if (r < 0)
            {
                break;
            }
            if (position < oldest)
            {
                position = oldest;
                cstore64(t, slot + S_POSITION, position, memory_order_seq_cst);
                atomic_thread_fence(memory_order_seq_cst);
                continue;
            }
            r = 0;
            break;
        }
    }
    if (r < 0)
    {
        /* Leave the slot free: the state first, then the lock. */
        cstore32(t, slot + S_STATE, STATE_FREE, memory_order_seq_cst);
        close(s->lock_fd);
        free(s->copy);
        s->copy = NULL;
        return r;
    }
    s->position = position;
    s->message_index = index;
    /* Counted in subscriberCount only once the start position is fixed, then publishers waiting for a first
     * subscriber are woken. */
    if (cload32(t, slot + S_COUNTED, memory_order_seq_cst) == 0)
    {
        cadd32(t, C_SUBSCRIBER_COUNT, 1);
        cstore32(t, slot + S_COUNTED, 1, memory_order_seq_cst);
    }
    wake_space(t);
    return 0;
}

static int32_t record_kind_and_body(const shm_topic *t, const uint8_t *record, shm_message *m, int64_t position,
    int32_t length)
{
    int32_t type;
    int16_t publisher;
    memcpy(&type, record + R_TYPE, sizeof type);
    memcpy(&publisher, record + R_PUBLISHER_ID, sizeof publisher);
    m->position = position;
    m->body = record + t->record_header_length;
    m->length = length - t->record_header_length;
    m->type = type;
    m->publisher_id = publisher;
    m->timestamp = 0;
    if (t->record_header_length == 32)
    {
        memcpy(&m->timestamp, record + R_TIMESTAMP, sizeof m->timestamp);
    }
    return 0;
}

static int poll_tethered(shm_subscriber *s, shm_handler handler, void *context, int limit)
{
    shm_topic *t = s->topic;
    const int64_t start = s->position;
    const int64_t end = start + t->capacity; /* at most one ring's worth per poll */
    int64_t position = start;
    int count = 0;
    int r = 0;
    while (count < limit && position < end)
    {
        const int64_t index = position & t->mask;
        const int32_t length = dload32(t, index, memory_order_acquire);
        if (length <= 0)
        {
            break; /* nothing yet; commit order across publishers is claim order */
        }
        const int16_t kind = dload16(t, index + R_KIND);
        const int32_t aligned = check_record(t, index, length, kind, position);
        if (aligned < 0)
        {
            r = aligned;
            break;
        }
        if (kind == SHM_KIND_MESSAGE)
        {
            shm_message m;
            record_kind_and_body(t, t->data + index, &m, position, length);
            handler(context, &m);
            count++;
        }
        position += aligned;
    }
    if (position != start)
    {
        s->position = position;
        s->delivered += count;
        /* Counts plainly, then the position with release: publishers read it. */
        cstore64(t, s->slot + S_DELIVERED, s->delivered, memory_order_relaxed);
        cstore64(t, s->slot + S_POSITION, position, memory_order_release);
        after_consume(t);
    }
    return r < 0 ? r : count;
}

/* Copy a record out of the ring with relaxed atomic loads (the bytes may be rewritten under the copy). */
static void copy_record(uint8_t *to, const uint8_t *from, size_t length)
{
    for (size_t i = 0; i < length; i += 8)
    {
        const int64_t word = atomic_load_explicit((_Atomic int64_t *)(void *)(from + i), memory_order_relaxed);
        memcpy(to + i, &word, sizeof word);
    }
}

static void record_loss(shm_subscriber *s, int64_t messages, int64_t bytes)
{
    s->lost_messages += messages;
    s->lost_bytes += bytes;
    cstore64(s->topic, s->slot + S_LOST_MESSAGES, s->lost_messages, memory_order_release);
    cstore64(s->topic, s->slot + S_LOST_BYTES, s->lost_bytes, memory_order_release);
}

static int poll_untethered(shm_subscriber *s, shm_handler handler, void *context, int limit)
{
    shm_topic *t = s->topic;
    const int64_t start = s->position;
    int64_t position = start;
    int64_t scanned = 0;
    int resyncs = 0;
    int count = 0;
    int r = 0;
    while (count < limit && scanned < t->capacity)
    {
        const int64_t index = position & t->mask;
        const int32_t length = dload32(t, index, memory_order_acquire);
        /* A padding record may run past the ring's end (over a hole at index 0, 5.2): the copy stops there. */
        const int fits = length >= 16 && length <= t->capacity;
        const int32_t aligned = fits ? align16(length) : 0;
        if (fits)
        {
            const int64_t room = t->capacity - index;
            size_t n = (size_t)aligned < s->copy_capacity ? (size_t)aligned : s->copy_capacity;
            n = (int64_t)n < room ? n : (size_t)room;
            copy_record(s->copy, t->data + index, n);
            atomic_thread_fence(memory_order_acquire); /* the copy before the lap check's load */
        }
        /* Section 6, untethered readers: the lap check comes first. A zero or negative length may be a record
         * zeroed or claimed again under the reader, an impossible length a later lap's bytes, a copy torn. */
        if (is_lapped(t, position))
        {
            int64_t oldest;
            int64_t count_before;
            const int got = read_oldest(t, &oldest, &count_before);
            if (got < 0)
            {
                r = got;
                break;
            }
            if (got == 0 || oldest <= position)
            {
                break; /* a round is still running: poll again later */
            }
            const int64_t lost = count_before - s->message_index;
            if (lost < 0)
            {
                r = corrupt(t, "cleanCount %lld went below the %lld messages this subscriber already counted",
                    (long long)count_before, (long long)s->message_index);
                break;
            }
            record_loss(s, lost, oldest - position);
            if (s->on_loss != NULL)
            {
                s->on_loss(s->loss_context, lost, oldest - position, position, oldest);
            }
            s->message_index = count_before;
            position = oldest;
            if (++resyncs == 4)
            {
                break;
            }
            continue;
        }
        if (length <= 0)
        {
            break;
        }
        if (!fits)
        {
            r = corrupt(t, "record length %d at position %lld (index %lld) does not fit the ring (capacity %lld)",
                length, (long long)position, (long long)index, (long long)t->capacity);
            break;
        }
        int16_t kind;
        memcpy(&kind, s->copy + R_KIND, sizeof kind);
        scanned += aligned;
        if (kind == SHM_KIND_PADDING)
        {
            position += aligned; /* its bytes past the header are never read */
            continue;
        }
        if (length > t->capacity - index)
        {
            r = corrupt(t, "record length %d at position %lld (index %lld) does not fit the ring (capacity %lld)",
                length, (long long)position, (long long)index, (long long)t->capacity);
            break;
        }
        if (kind != SHM_KIND_MESSAGE || length < t->record_header_length ||
            length > t->record_header_length + t->max_message_length)
        {
            r = corrupt(t, "record at position %lld has kind %d and length %d", (long long)position, kind, length);
            break;
        }
        shm_message m;
        record_kind_and_body(t, s->copy, &m, position, length);
        position += aligned;
        s->message_index++;
        count++;
        handler(context, &m);
    }
    s->position = position;
    if (position != start)
    {
        /* Display only: no publisher waits for an untethered reader. */
        s->delivered += count;
        cstore64(t, s->slot + S_POSITION, position, memory_order_relaxed);
        cstore64(t, s->slot + S_DELIVERED, s->delivered, memory_order_relaxed);
    }
    return r < 0 ? r : count;
}

int shm_subscriber_poll(shm_subscriber *s, shm_handler handler, void *context, int limit)
{
    if (s->policy == SHM_POLICY_TETHERED)
    {
        return poll_tethered(s, handler, context, limit);
    }
    return poll_untethered(s, handler, context, limit);
}

int shm_subscriber_ready(shm_subscriber *s)
{
    shm_topic *t = s->topic;
    return dload32(t, s->position & t->mask, memory_order_acquire) > 0 ||
        (s->policy == SHM_POLICY_UNTETHERED && is_lapped(t, s->position));
}

static int subscriber_ready(void *argument)
{
    return shm_subscriber_ready(argument);
}

static int64_t subscriber_slice(void *argument)
{
    const shm_subscriber *s = argument;
    return s->position < shm_tail(s->topic) ? SLEEP_SLICE_NS : IDLE_SLEEP_SLICE_NS;
}

int shm_subscriber_wait(shm_subscriber *s, int64_t timeout_ns)
{
    shm_topic *t = s->topic;
    register_blocking(t, C_BLOCKING_SUBSCRIBERS, s->slot + S_BLOCKING, &s->blocking, &s->sliced);
    sleeper sl = {t, C_DATA_SIGNAL, C_DATA_WAITERS, s->slot + S_SLEEPING, s->slot + S_WAITS,
        s->slot + S_WAIT_TIMEOUTS, &s->sliced};
    const int64_t before = cload64(t, s->slot + S_WAITS, memory_order_relaxed);
    const int r = sleep_until(&sl, subscriber_ready, s, timeout_ns, subscriber_slice);
    s->waits += cload64(t, s->slot + S_WAITS, memory_order_relaxed) - before;
    return r;
}

void shm_subscriber_leave(shm_subscriber *s)
{
    shm_topic *t = s->topic;
    if (s->index < 0)
    {
        return;
    }
    unregister_blocking(t, C_BLOCKING_SUBSCRIBERS, s->slot + S_BLOCKING, &s->blocking);
    if (lock_allocation(t, s->lock_fd) == 0)
    {
        cstore32(t, s->slot + S_STATE, STATE_FREE, memory_order_seq_cst);
        if (cload32(t, s->slot + S_COUNTED, memory_order_seq_cst) != 0)
        {
            cadd32(t, C_SUBSCRIBER_COUNT, -1);
        }
        ofd_unlock(s->lock_fd, L_ALLOCATION);
    }
    if (s->policy == SHM_POLICY_TETHERED)
    {
        wake_space(t); /* publishers it held back may have room now */
    }
    close(s->lock_fd); /* drops the slot lock */
    free(s->copy);
    s->copy = NULL;
    s->index = -1;
}

/* ------------------------------------------------------------------ publishers */

int shm_publisher_join(shm_topic *t, shm_publisher *p)
{
    memset(p, 0, sizeof *p);
    p->topic = t;
    p->index = -1;
    p->lock_fd = open_lock_description(t);
    if (p->lock_fd < 0)
    {
        return p->lock_fd;
    }
    int r = lock_allocation(t, p->lock_fd);
    if (r < 0)
    {
        close(p->lock_fd);
        return r;
    }
    const int32_t exclusive = cload32(t, C_EXCLUSIVE_PUBLISHER, memory_order_seq_cst) - 1;
    if (exclusive >= 0 && exclusive < t->max_publishers && ofd_held_elsewhere(p->lock_fd, L_PUBLISHERS + exclusive))
    {
        r = fail(t, SHM_EFULL, "the topic has an exclusive publisher (slot %d)", exclusive);
    }
    int index = -1;
    for (int i = 0; r == 0 && i < t->max_publishers && index < 0; i++)
    {
        /* A free slot whose lock is ours. A slot that is not free but whose lock is free belonged to a publisher
         * that died: its claim needs a repair (section 8), which this kit leaves to the Java participants. */
        if (cload32(t, publisher_slot(i) + P_STATE, memory_order_seq_cst) != STATE_FREE)
        {
            continue;
        }
        const int locked = ofd_lock(p->lock_fd, L_PUBLISHERS + i, F_WRLCK);
        if (locked < 0)
        {
            r = fail(t, SHM_EIO, "publisher slot lock: %s", strerror(errno));
        }
        else if (locked == 1)
        {
            index = i;
        }
    }
    if (r == 0 && index < 0)
    {
        r = fail(t, SHM_EFULL, "no free publisher slot: all %d are taken", t->max_publishers);
    }
    if (r == 0)
    {
        const size_t slot = publisher_slot(index);
        memset(t->control + slot, 0, P_LENGTH);
        cstore64(t, slot + P_CLAIM_POSITION, -1, memory_order_relaxed);
        cstore32(t, slot + P_MODE, MODE_SHARED, memory_order_relaxed);
        cstore32(t, slot + P_PID, (int32_t)getpid(), memory_order_relaxed);
        cstore64(t, slot + P_ATTACHED_MS, epoch_ms(), memory_order_relaxed);
        cstore32(t, slot + P_STATE, STATE_ACTIVE, memory_order_seq_cst);
        cstore32(t, C_EXCLUSIVE_PUBLISHER, 0, memory_order_seq_cst);
        cadd32(t, C_PUBLISHER_COUNT, 1);
        p->index = index;
        p->slot = slot;
    }
    ofd_unlock(p->lock_fd, L_ALLOCATION);
    if (r < 0)
    {
        close(p->lock_fd);
    }
    return r;
}

static void after_commit(shm_publisher *p);

#define ROOM_PAD 1

/* Section 9.5, the slow path of a claim from tail that must end at required_end: 0 when it fits below the cached
 * limit now, ROOM_PAD when it must instead be one padding record from the tail to *pad_to over a hole (there is
 * room for it), or a status or error. */
static int64_t make_room(shm_publisher *p, int64_t tail, int64_t required_end, int64_t *pad_to)
{
    shm_topic *t = p->topic;
    if ((t->flags & SHM_FLAG_REQUIRE_SUBSCRIBER) != 0 && cload32(t, C_SUBSCRIBER_COUNT, memory_order_seq_cst) == 0)
    {
        return SHM_NOT_CONNECTED;
    }
    int64_t end = required_end;
    while (1)
    {
        int64_t limit = cload64(t, C_CLEAN_LIMIT, memory_order_acquire);
        int r = check_position(t, limit, "cleanLimit");
        if (r < 0)
        {
            return r;
        }
        if (limit - t->capacity > end && limit - t->capacity > shm_tail(t))
        {
            return corrupt(t, "cleanLimit %lld is more than a ring ahead of the tail", (long long)limit);
        }
        if (limit - SHM_ALIGNMENT < end)
        {
            limit = reclaim(t, end, p->index + 1);
            if (limit == CLEAN_BUSY)
            {
                /* Another participant holds the round: take it over once it showed no progress for our patience
                 * (10.6). A dead owner's round is taken over the same way, after the patience. */
                round_watch watch = {p->watched_word, p->watched_intent, p->watched_sequence, p->watched_since};
                r = watch_round(t, &watch, p->index + 1, PUBLISH_PATIENCE_NS);
                p->watched_word = watch.word;
                p->watched_intent = watch.intent;
                p->watched_sequence = watch.sequence;
                p->watched_since = watch.since;
                return r < 0 ? r : SHM_ADMIN_ACTION;
            }
            if (limit < 0)
            {
                return limit;
            }
        }
        p->watched_word = 0;
        /* Step 4: cleanHoles after the limit. A taker counts and marks a hole before it publishes a limit over its
         * bytes, so the limit loaded above comes with every hole below it. */
        int64_t nearest = INT64_MAX;
        int64_t pad = tail;
        if (cload64(t, C_CLEAN_HOLES, memory_order_seq_cst) != 0)
        {
            pad = pad_target(t, tail, required_end, &nearest);
            if (pad < 0)
            {
                return pad;
            }
            if (pad > end)
            {
                end = pad;
                if (limit - SHM_ALIGNMENT < end)
                {
                    continue; /* the padding needs room of its own */
                }
            }
        }
        int64_t cache = limit > p->limit_cache ? limit : p->limit_cache;
        p->limit_cache = nearest < cache ? nearest : cache;
        if (limit - SHM_ALIGNMENT < end)
        {
            atomic_fetch_add(A64(t->control + p->slot + P_BACK_PRESSURED), 1);
            p->back_pressured++;
            return SHM_BACK_PRESSURED;
        }
        if (pad != tail)
        {
            *pad_to = pad;
            return ROOM_PAD;
        }
        return 0;
    }
}

/* Section 9.7: claim [tail, pad_to) as one padding record over a hole. The negative claimLength makes a repair pad
 * it as one record too, never writing a header inside the hole. */
static void pad_over_hole(shm_publisher *p, int64_t tail, int64_t pad_to)
{
    shm_topic *t = p->topic;
    const int32_t length = (int32_t)(pad_to - tail);
    const int64_t index = tail & t->mask;
    cstore64(t, p->slot + P_CLAIM_POSITION, tail, memory_order_relaxed);
    cstore32(t, p->slot + P_CLAIM_LENGTH, -length, memory_order_relaxed);
    if (cas64(t, C_TAIL, tail, pad_to))
    {
        dstore16(t, index + R_PUBLISHER_ID, (int16_t)p->index);
        dstore16(t, index + R_KIND, SHM_KIND_PADDING);
        dstore32(t, index, length, memory_order_release);
        after_commit(p);
    }
}

int64_t shm_publisher_claim(shm_publisher *p, int32_t length, shm_claim *c)
{
    shm_topic *t = p->topic;
    if (length < 0 || length > t->max_message_length)
    {
        return fail(t, SHM_EINVALID, "message length %d is outside 0 to %d", length, t->max_message_length);
    }
    if ((t->flags & SHM_FLAG_REQUIRE_SUBSCRIBER) != 0 && cload32(t, C_SUBSCRIBER_COUNT, memory_order_seq_cst) == 0)
    {
        return SHM_NOT_CONNECTED;
    }
    const int32_t record_length = t->record_header_length + length;
    const int32_t aligned = align16(record_length);
    int64_t tail;
    int64_t end;
    int64_t index;
    int64_t padding;
    while (1)
    {
        /* Section 5, "Writing", step 1. */
        tail = cload64(t, C_TAIL, memory_order_seq_cst);
        int r = check_position(t, tail, "tail");
        if (r < 0)
        {
            return r;
        }
        index = tail & t->mask;
        padding = aligned > t->capacity - index ? t->capacity - index : 0;
        end = tail + padding + aligned;
        if (end > p->limit_cache - SHM_ALIGNMENT)
        {
            int64_t pad_to = 0;
            const int64_t status = make_room(p, tail, end, &pad_to);
            if (status < 0)
            {
                return status;
            }
            if (status == ROOM_PAD)
            {
                pad_over_hole(p, tail, pad_to);
            }
            continue;
        }
        /* Step 2: the claim's extent in the slot before the tail moves (a repair reads it). */
        cstore64(t, p->slot + P_CLAIM_POSITION, tail, memory_order_relaxed);
        cstore32(t, p->slot + P_CLAIM_LENGTH, (int32_t)(end - tail), memory_order_relaxed);
        /* Step 3: the CAS is a full fence, so the slot's stores are visible before the tail moves. */
        int64_t expected = tail;
        if (atomic_compare_exchange_strong(A64(t->control + C_TAIL), &expected, end))
        {
            break;
        }
    }
    /* Step 4: -L in the record's length word, then the wrap padding, committed. */
    const int64_t record_index = padding > 0 ? 0 : index;
    dstore32(t, record_index, -record_length, memory_order_relaxed);
    if (padding > 0)
    {
        dstore16(t, index + R_PUBLISHER_ID, (int16_t)p->index);
        dstore16(t, index + R_KIND, SHM_KIND_PADDING);
        dstore32(t, index, (int32_t)padding, memory_order_release);
    }
    c->position = tail + padding;
    c->index = (int32_t)record_index;
    c->record_length = record_length;
    c->body = t->data + record_index + t->record_header_length;
    c->length = length;
    return end;
}

/* Section 7: after a commit, wake sleeping subscribers if there are any. */
static void after_commit(shm_publisher *p)
{
    shm_topic *t = p->topic;
    /* The load follows the commit in program order: a compiler barrier; the expedited barrier of a sleeper covers
     * the store buffer, or, where it is not available, the fence. */
    atomic_signal_fence(memory_order_seq_cst);
    if (!shm_barrier_available() || cload32(t, C_BLOCKING_SUBSCRIBERS, memory_order_relaxed) != 0)
    {
        atomic_thread_fence(memory_order_seq_cst);
    }
    if (cload32(t, C_DATA_WAITERS, memory_order_seq_cst) != 0)
    {
        wake_data(t);
        p->wakes++;
        cstore64(t, p->slot + P_WAKES, cload64(t, p->slot + P_WAKES, memory_order_relaxed) + 1, memory_order_release);
    }
}

void shm_publisher_commit(shm_publisher *p, shm_claim *c, int32_t type)
{
    shm_topic *t = p->topic;
    /* Step 5: the header fields with plain stores, step 6: the length with release, the commit. */
    dstore32(t, c->index + R_TYPE, type, memory_order_relaxed);
    dstore16(t, c->index + R_PUBLISHER_ID, (int16_t)p->index);
    if (t->record_header_length == 32)
    {
        atomic_store_explicit(A64(t->data + c->index + R_TIMESTAMP), epoch_ns(), memory_order_relaxed);
    }
    dstore32(t, c->index, c->record_length, memory_order_release);
    after_commit(p);
}

void shm_publisher_abort(shm_publisher *p, shm_claim *c)
{
    shm_topic *t = p->topic;
    dstore16(t, c->index + R_PUBLISHER_ID, (int16_t)p->index);
    dstore16(t, c->index + R_KIND, SHM_KIND_PADDING);
    dstore32(t, c->index, c->record_length, memory_order_release);
    after_commit(p);
}

int64_t shm_publisher_offer(shm_publisher *p, const void *body, int32_t length, int32_t type)
{
    shm_claim c;
    const int64_t r = shm_publisher_claim(p, length, &c);
    if (r > 0)
    {
        memcpy(c.body, body, (size_t)length);
        shm_publisher_commit(p, &c, type);
    }
    return r;
}

typedef struct space_check
{
    shm_publisher *publisher;
    int32_t length;
} space_check;

/* Whether a claim of the given length would fit now; runs the round that makes room when it can. */
static int space_ready(void *argument)
{
    space_check *check = argument;
    shm_publisher *p = check->publisher;
    shm_topic *t = p->topic;
    const int32_t aligned = align16(t->record_header_length + check->length);
    const int64_t tail = shm_tail(t);
    const int64_t index = tail & t->mask;
    const int64_t end = tail + (aligned > t->capacity - index ? t->capacity - index : 0) + aligned;
    if (end <= p->limit_cache - SHM_ALIGNMENT)
    {
        return 1;
    }
    int64_t pad_to;
    const int64_t status = make_room(p, tail, end, &pad_to);
    if (status < 0 && status != SHM_BACK_PRESSURED && status != SHM_NOT_CONNECTED && status != SHM_ADMIN_ACTION)
    {
        return (int)status;
    }
    return status >= 0 || status == SHM_ADMIN_ACTION;
}

static int64_t space_slice(void *argument)
{
    (void)argument;
    return SPACE_SLICE_NS;
}

int shm_publisher_wait_space(shm_publisher *p, int32_t length, int64_t timeout_ns)
{
    shm_topic *t = p->topic;
    register_blocking(t, C_BLOCKING_PUBLISHERS, 0, &p->blocking, &p->sliced);
    space_check check = {p, length};
    sleeper sl = {t, C_SPACE_SIGNAL, C_SPACE_WAITERS, p->slot + P_SLEEPING, 0, 0, &p->sliced};
    return sleep_until(&sl, space_ready, &check, timeout_ns, space_slice);
}

void shm_publisher_leave(shm_publisher *p)
{
    shm_topic *t = p->topic;
    if (p->index < 0)
    {
        return;
    }
    unregister_blocking(t, C_BLOCKING_PUBLISHERS, 0, &p->blocking);
    if (lock_allocation(t, p->lock_fd) == 0)
    {
        if (cload32(t, C_EXCLUSIVE_PUBLISHER, memory_order_seq_cst) == p->index + 1)
        {
            cstore32(t, C_EXCLUSIVE_PUBLISHER, 0, memory_order_seq_cst);
        }
        cstore32(t, p->slot + P_STATE, STATE_FREE, memory_order_seq_cst);
        cadd32(t, C_PUBLISHER_COUNT, -1);
        ofd_unlock(p->lock_fd, L_ALLOCATION);
    }
    close(p->lock_fd);
    p->index = -1;
}
