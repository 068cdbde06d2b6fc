/*
 * A small reference implementation of the shmbus topic layout, version 3 (docs/LAYOUT.md), in C11 with
 * nothing but libc and Linux system calls. It opens and checks a topic, joins as a tethered or untethered
 * subscriber or as a shared publisher, reads and writes records, sleeps and wakes on the futex words, and
 * leaves. Its publishers and joiners take over cleaning rounds that stopped making progress (10.6) and pad over
 * the holes that leaves (9.7). It does not create topics, does not run repairs of dead peers (the Java
 * participants do), and does not handle durable subscriptions.
 *
 * Every function that can fail returns a negative SHM_E* code and leaves a message in topic->error.
 * One participant object is used by one thread at a time.
 */
#ifndef SHMBUS_H
#define SHMBUS_H

#include <stddef.h>
#include <stdint.h>

/* Sizes and offsets, named after the tables of docs/LAYOUT.md. */
#define SHM_MAGIC 0x00005355424D4853LL
#define SHM_LAYOUT_VERSION 3
#define SHM_HEADER_LENGTH 4096
#define SHM_MAX_NAME 100
#define SHM_REGION_ALIGNMENT 65536
#define SHM_PAGE 4096
#define SHM_ALIGNMENT 16
#define SHM_MAX_POSITION (1LL << 62)

#define SHM_FLAG_TIMESTAMPS 1
#define SHM_FLAG_REQUIRE_SUBSCRIBER 2
#define SHM_FLAG_ANONYMOUS 4

#define SHM_KIND_MESSAGE 0
#define SHM_KIND_PADDING 1

#define SHM_POLICY_TETHERED 1
#define SHM_POLICY_UNTETHERED 2
#define SHM_POLICY_DURABLE 3

/* Error codes. */
#define SHM_EIO (-10)        /* a system call failed */
#define SHM_EINVALID (-11)   /* the file is not a topic this code may open (header checks) */
#define SHM_ECORRUPT (-12)   /* the shared memory holds something no participant writes */
#define SHM_EFULL (-13)      /* no free slot */
#define SHM_EBUSY (-14)      /* a lock could not be taken in time, or a round made no progress */
#define SHM_EREFUSED (-15)   /* an anonymous topic's owner refused, or sent something unusable */

/* Publisher statuses, as the Java API's. */
#define SHM_NOT_CONNECTED (-1)
#define SHM_BACK_PRESSURED (-2)
#define SHM_ADMIN_ACTION (-3)

typedef struct shm_topic
{
    int fd;                    /* the mapping's descriptor: holds the shared attached lock */
    uint8_t *base;             /* the whole file, read-write */
    size_t length;
    uint8_t *control;          /* base + controlOffset */
    uint8_t *data;             /* base + dataOffset */
    int64_t capacity;
    int64_t mask;
    int32_t max_message_length;
    int32_t max_publishers;
    int32_t max_subscribers;
    int32_t record_header_length;
    int32_t flags;
    char name[SHM_MAX_NAME + 1];
    char source[256];          /* the path or a description of the descriptor, for messages */
    char error[512];           /* the last failure */
} shm_topic;

/* The fields of a record a reader hands on. */
typedef struct shm_message
{
    int64_t position;
    const uint8_t *body;
    int32_t length;
    int32_t type;
    int16_t publisher_id;
    int64_t timestamp;         /* 0 without the TIMESTAMPS flag */
} shm_message;

typedef void (*shm_handler)(void *context, const shm_message *message);

typedef struct shm_subscriber
{
    shm_topic *topic;
    int lock_fd;               /* an open file description of its own, holding the slot lock */
    int index;
    int policy;
    size_t slot;               /* offset of the slot in the control region */
    int64_t position;
    int64_t message_index;     /* untethered: messages before position */
    int64_t delivered;
    int64_t lost_messages;
    int64_t lost_bytes;
    int64_t waits;
    uint8_t *copy;             /* untethered: where a record is copied before it is checked */
    size_t copy_capacity;
    int blocking;              /* counted in blockingSubscribers (no expedited barrier here) */
    int sliced;                /* sleeps cut into 1 ms slices (no membarrier at all) */
    /* Untethered: told of every gap (set after joining, may be NULL). */
    void (*on_loss)(void *context, int64_t messages, int64_t bytes, int64_t from, int64_t to);
    void *loss_context;
} shm_subscriber;

typedef struct shm_claim
{
    int64_t position;          /* of the record */
    int32_t index;             /* ring index of its header */
    int32_t record_length;     /* header plus body */
    uint8_t *body;             /* where the caller writes the body */
    int32_t length;            /* body length */
} shm_claim;

typedef struct shm_publisher
{
    shm_topic *topic;
    int lock_fd;
    int index;
    size_t slot;
    int64_t limit_cache;       /* the highest cleanLimit seen, lowered to the nearest hole ahead while holes exist */
    int64_t watched_word;      /* a held cleanLock word this publisher watches for progress (10.6), or 0 */
    int64_t watched_intent;
    int32_t watched_sequence;
    int64_t watched_since;
    int64_t back_pressured;
    int64_t wakes;
    int blocking;
    int sliced;
} shm_publisher;

/* Register this process for the expedited barrier (docs/LAYOUT.md 7). Idempotent; returns 1 when registered,
 * 0 when this process must use the fenced fallback. Called by the open functions. */
int shm_register_barrier(void);
/* 1 when the expedited barrier is available to this process. */
int shm_barrier_available(void);

/* Open and check a named topic file. expected_name is the name its header must hold (NULL: the file's base
 * name). */
int shm_topic_open(shm_topic *topic, const char *path, const char *expected_name);
/* Check and map a descriptor (an anonymous topic received from its owner: it must be sealed and marked
 * anonymous). On success the descriptor belongs to the topic; on failure it is closed. */
int shm_topic_open_received(shm_topic *topic, int fd, const char *label);
/* Connect to an anonymous topic's owner ("@name" for the abstract namespace, else a socket path), receive the
 * descriptor, check and map it. */
int shm_topic_join_anonymous(shm_topic *topic, const char *address, int timeout_ms);
void shm_topic_close(shm_topic *topic);

int64_t shm_tail(const shm_topic *topic);

/* Take a subscriber slot and fix the start position: start_oldest 0 starts at the tail, 1 at the oldest
 * retained record. */
int shm_subscriber_join(shm_topic *topic, shm_subscriber *subscriber, int policy, int start_oldest);
/* Read up to limit messages; returns how many were delivered, or a negative error (corruption). */
int shm_subscriber_poll(shm_subscriber *subscriber, shm_handler handler, void *context, int limit);
/* 1 when a poll would find something to do. */
int shm_subscriber_ready(shm_subscriber *subscriber);
/* Sleep on dataSignal until a poll has something to do or timeout_ns passes; returns 1 ready, 0 timeout. */
int shm_subscriber_wait(shm_subscriber *subscriber, int64_t timeout_ns);
void shm_subscriber_leave(shm_subscriber *subscriber);

int shm_publisher_join(shm_topic *topic, shm_publisher *publisher);
/* Claim room for a body of length bytes: returns the stream position after the record (> 0), a status
 * (SHM_NOT_CONNECTED, SHM_BACK_PRESSURED, SHM_ADMIN_ACTION) or an error. */
int64_t shm_publisher_claim(shm_publisher *publisher, int32_t length, shm_claim *claim);
void shm_publisher_commit(shm_publisher *publisher, shm_claim *claim, int32_t type);
void shm_publisher_abort(shm_publisher *publisher, shm_claim *claim);
int64_t shm_publisher_offer(shm_publisher *publisher, const void *body, int32_t length, int32_t type);
/* Sleep on spaceSignal until an offer of length bytes may fit or timeout_ns passes; returns 1 or 0. */
int shm_publisher_wait_space(shm_publisher *publisher, int32_t length, int64_t timeout_ns);
void shm_publisher_leave(shm_publisher *publisher);

/* Stop for ns nanoseconds at every every-th point of this process's cleaning rounds where an owner may stall
 * (after its walk, inside a zeroing step, before its commit), so that peers take its rounds over (docs/LAYOUT.md
 * 10.6) and pad over the holes it leaves. ns 0 (the default) never stops. For conformance runs only. */
void shm_set_round_stall(int64_t ns, int every);

int64_t shm_now_ns(void);      /* CLOCK_MONOTONIC, the clock Java's System.nanoTime() reads on Linux */

#endif
