/*
 * shmbus-read: join a topic as a tethered or untethered subscriber, read test messages (testmsg.h), verify each
 * one and print machine-readable lines. See interop/README.md.
 */
#define _GNU_SOURCE
#include "shmbus.h"
#include "testmsg.h"

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_TAGS 16

typedef struct tag_stats
{
    int64_t count;
    int64_t first;
    int64_t last;
    int64_t next;
    int64_t gaps;
    uint64_t fnv;
} tag_stats;

typedef struct reader
{
    int32_t span;
    int print;
    int timestamps;
    int64_t received;
    int64_t bad;
    int64_t gaps;
    int64_t lost;
    int64_t lost_events;
    tag_stats tags[MAX_TAGS];
} reader;

static void on_message(void *context, const shm_message *m)
{
    reader *r = context;
    int32_t tag;
    int64_t seq;
    r->received++;
    if (!tm_verify(m->body, m->length, r->span, &tag, &seq) || tag < 0 || tag >= MAX_TAGS || tag != m->type ||
        (r->timestamps && m->timestamp <= 0))
    {
        r->bad++;
        printf("BAD position=%" PRId64 " length=%d type=%d\n", m->position, m->length, m->type);
        return;
    }
    tag_stats *s = &r->tags[tag];
    if (s->count == 0)
    {
        s->first = seq;
        s->fnv = TM_FNV_OFFSET;
    }
    else if (seq < s->next)
    {
        r->bad++; /* out of order, or delivered twice */
        printf("BAD tag=%d seq=%" PRId64 " expected=%" PRId64 "\n", tag, seq, s->next);
        return;
    }
    if (seq > s->next)
    {
        s->gaps += seq - s->next;
        r->gaps += seq - s->next;
    }
    s->count++;
    s->last = seq;
    s->next = seq + 1;
    s->fnv = tm_fnv(s->fnv, m->body, m->length);
    if (r->print)
    {
        printf("MSG tag=%d seq=%" PRId64 " length=%d t=%" PRId64 "\n", tag, seq, m->length, shm_now_ns());
        fflush(stdout);
    }
}

static void on_loss(void *context, int64_t messages, int64_t bytes, int64_t from, int64_t to)
{
    reader *r = context;
    r->lost += messages;
    r->lost_events++;
    if (r->lost_events <= 20)
    {
        printf("LOSS messages=%" PRId64 " bytes=%" PRId64 " from=%" PRId64 " to=%" PRId64 "\n", messages, bytes,
            from, to);
    }
}

static void usage(void)
{
    fprintf(stderr,
        "usage: shmbus-read (--topic PATH [--name NAME] | --anon @NAME|SOCKET) [--policy tethered|untethered]\n"
        "                   [--start tail|oldest] [--count N] [--span S] [--idle-ms MS] [--wait futex|yield]\n"
        "                   [--slow-every K --slow-us U] [--stall-after K] [--print]\n");
    exit(64);
}

static int exit_code(int error)
{
    return error == SHM_EINVALID ? 2 : error == SHM_ECORRUPT ? 3 : error == SHM_EREFUSED ? 6 : 4;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    const char *name = NULL;
    const char *anon = NULL;
    int policy = SHM_POLICY_TETHERED;
    int oldest = 0;
    int64_t count = 0;
    int64_t idle_ms = 10000;
    int futex = 1;
    int64_t slow_every = 0;
    int64_t slow_us = 0;
    int64_t stall_after = -1;
    reader r;
    memset(&r, 0, sizeof r);
    r.span = 200;
    for (int i = 1; i < argc; i++)
    {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--print") == 0)
        {
            r.print = 1;
            continue;
        }
        if (v == NULL)
        {
            usage();
        }
        i++;
        if (strcmp(a, "--topic") == 0) path = v;
        else if (strcmp(a, "--name") == 0) name = v;
        else if (strcmp(a, "--anon") == 0) anon = v;
        else if (strcmp(a, "--policy") == 0) policy = strcmp(v, "untethered") == 0 ? SHM_POLICY_UNTETHERED : SHM_POLICY_TETHERED;
        else if (strcmp(a, "--start") == 0) oldest = strcmp(v, "oldest") == 0;
        else if (strcmp(a, "--count") == 0) count = atoll(v);
        else if (strcmp(a, "--span") == 0) r.span = atoi(v);
        else if (strcmp(a, "--idle-ms") == 0) idle_ms = atoll(v);
        else if (strcmp(a, "--wait") == 0) futex = strcmp(v, "futex") == 0;
        else if (strcmp(a, "--slow-every") == 0) slow_every = atoll(v);
        else if (strcmp(a, "--slow-us") == 0) slow_us = atoll(v);
        else if (strcmp(a, "--stall-after") == 0) stall_after = atoll(v);
        else usage();
    }
    if ((path == NULL) == (anon == NULL) || r.span < 1)
    {
        usage();
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    shm_topic topic;
    int rc = anon != NULL ? shm_topic_join_anonymous(&topic, anon, 5000) : shm_topic_open(&topic, path, name);
    if (rc < 0)
    {
        printf("ERROR %s\n", topic.error);
        return exit_code(rc);
    }
    if (anon != NULL)
    {
        printf("JOINED label=%s capacity=%" PRId64 " flags=%d\n", topic.name, topic.capacity, topic.flags);
    }
    r.timestamps = (topic.flags & SHM_FLAG_TIMESTAMPS) != 0;
    shm_subscriber sub;
    rc = shm_subscriber_join(&topic, &sub, policy, oldest);
    if (rc < 0)
    {
        printf("ERROR %s\n", topic.error);
        shm_topic_close(&topic);
        return exit_code(rc);
    }
    sub.on_loss = on_loss;
    sub.loss_context = &r;
    printf("READY slot=%d position=%" PRId64 " index=%" PRId64 " barrier=%d\n", sub.index, sub.position,
        sub.message_index, shm_barrier_available());

    int64_t last_progress = shm_now_ns();
    int empty = 0;
    int status = 0;
    while (count <= 0 || r.received + r.lost < count)
    {
        if (stall_after >= 0 && r.received >= stall_after)
        {
            printf("STALLED received=%" PRId64 "\n", r.received);
            while (1)
            {
                pause();
            }
        }
        int limit = 64;
        if (slow_every > 0)
        {
            limit = (int)(slow_every - r.received % slow_every);
        }
        if (stall_after >= 0 && stall_after - r.received < limit)
        {
            limit = (int)(stall_after - r.received);
        }
        const int64_t before = r.received + r.lost;
        const int n = shm_subscriber_poll(&sub, on_message, &r, limit);
        if (n < 0)
        {
            printf("ERROR %s\n", topic.error);
            status = exit_code(n);
            break;
        }
        if (n > 0 && slow_every > 0 && r.received % slow_every == 0)
        {
            struct timespec ts = {slow_us / 1000000, (slow_us % 1000000) * 1000};
            nanosleep(&ts, NULL);
        }
        const int64_t now = shm_now_ns();
        if (r.received + r.lost != before)
        {
            last_progress = now;
            empty = 0;
            continue;
        }
        const int64_t remaining = last_progress + idle_ms * 1000000LL - now;
        if (remaining <= 0)
        {
            status = 5;
            printf("TIMEOUT idle for %" PRId64 " ms\n", idle_ms);
            break;
        }
        if (futex)
        {
            const int w = shm_subscriber_wait(&sub, remaining);
            if (w < 0)
            {
                printf("ERROR %s\n", topic.error);
                status = exit_code(w);
                break;
            }
        }
        else if (++empty < 1000)
        {
            sched_yield();
        }
        else
        {
            struct timespec ts = {0, 50000};
            nanosleep(&ts, NULL);
        }
    }
    for (int t = 0; t < MAX_TAGS; t++)
    {
        const tag_stats *s = &r.tags[t];
        if (s->count > 0)
        {
            printf("TAG tag=%d count=%" PRId64 " first=%" PRId64 " last=%" PRId64 " gaps=%" PRId64
                " fnv=%016" PRIx64 "\n", t, s->count, s->first, s->last, s->gaps, s->fnv);
        }
    }
    printf("DONE received=%" PRId64 " lost=%" PRId64 " lostBytes=%" PRId64 " lossEvents=%" PRId64 " gaps=%" PRId64
        " bad=%" PRId64 " waits=%" PRId64 " position=%" PRId64 "\n", r.received, r.lost, sub.lost_bytes,
        r.lost_events, r.gaps, r.bad, sub.waits, sub.position);
    shm_subscriber_leave(&sub);
    shm_topic_close(&topic);
    return status;
}
