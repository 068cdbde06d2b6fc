/*
 * shmbus-publish: join a topic as a shared publisher and publish test messages (testmsg.h) of one tag, printing
 * machine-readable lines. See interop/README.md.
 */
#define _GNU_SOURCE
#include "shmbus.h"
#include "testmsg.h"

#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void usage(void)
{
    fprintf(stderr,
        "usage: shmbus-publish (--topic PATH [--name NAME] | --anon @NAME|SOCKET) --tag T --count N [--span S]\n"
        "                      [--go] [--pause-ms MS] [--every K --sleep-us U] [--hold-at K] [--claim-every K]\n"
        "                      [--stall-us U --stall-every K] [--print]\n");
    exit(64);
}

static void sleep_us(int64_t us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    const char *name = NULL;
    const char *anon = NULL;
    int32_t tag = 1;
    int64_t count = 0;
    int32_t span = 200;
    int go = 0;
    int print = 0;
    int64_t pause_ms = 0;
    int64_t every = 0;
    int64_t sleep_for = 0;
    int64_t hold_at = -1;
    int64_t claim_every = 4;
    int64_t stall_us = 0;
    int stall_every = 1;
    for (int i = 1; i < argc; i++)
    {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--go") == 0)
        {
            go = 1;
            continue;
        }
        if (strcmp(a, "--print") == 0)
        {
            print = 1;
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
        else if (strcmp(a, "--tag") == 0) tag = atoi(v);
        else if (strcmp(a, "--count") == 0) count = atoll(v);
        else if (strcmp(a, "--span") == 0) span = atoi(v);
        else if (strcmp(a, "--pause-ms") == 0) pause_ms = atoll(v);
        else if (strcmp(a, "--every") == 0) every = atoll(v);
        else if (strcmp(a, "--sleep-us") == 0) sleep_for = atoll(v);
        else if (strcmp(a, "--hold-at") == 0) hold_at = atoll(v);
        else if (strcmp(a, "--claim-every") == 0) claim_every = atoll(v);
        else if (strcmp(a, "--stall-us") == 0) stall_us = atoll(v);
        else if (strcmp(a, "--stall-every") == 0) stall_every = atoi(v);
        else usage();
    }
    if ((path == NULL) == (anon == NULL) || span < 1)
    {
        usage();
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    shm_set_round_stall(stall_us * 1000, stall_every);

    shm_topic topic;
    int rc = anon != NULL ? shm_topic_join_anonymous(&topic, anon, 5000) : shm_topic_open(&topic, path, name);
    if (rc < 0)
    {
        printf("ERROR %s\n", topic.error);
        return rc == SHM_EINVALID ? 2 : 4;
    }
    if (12 + span - 1 > topic.max_message_length)
    {
        printf("ERROR span %d needs messages of up to %d bytes; the topic takes %d\n", span, 12 + span - 1,
            topic.max_message_length);
        return 64;
    }
    shm_publisher pub;
    rc = shm_publisher_join(&topic, &pub);
    if (rc < 0)
    {
        printf("ERROR %s\n", topic.error);
        return 4;
    }
    printf("READY slot=%d barrier=%d\n", pub.index, shm_barrier_available());
    if (go)
    {
        char line[64];
        while (fgets(line, sizeof line, stdin) != NULL && strncmp(line, "GO", 2) != 0)
        {
        }
    }
    if (pause_ms > 0)
    {
        sleep_us(pause_ms * 1000);
    }

    uint8_t *body = malloc((size_t)topic.max_message_length + 8);
    uint64_t fnv = TM_FNV_OFFSET;
    int64_t admin = 0;
    int64_t not_connected = 0;
    int status = 0;
    for (int64_t seq = 0; seq < count && status == 0; seq++)
    {
        const int32_t length = tm_length(tag, seq, span);
        shm_claim claim;
        int64_t result;
        while ((result = shm_publisher_claim(&pub, length, &claim)) <= 0)
        {
            if (result == SHM_BACK_PRESSURED)
            {
                const int w = shm_publisher_wait_space(&pub, length, 50000000LL);
                if (w < 0)
                {
                    result = w;
                    break;
                }
            }
            else if (result == SHM_ADMIN_ACTION)
            {
                admin++;
                sched_yield();
            }
            else if (result == SHM_NOT_CONNECTED)
            {
                not_connected++;
                sleep_us(1000);
            }
            else
            {
                break;
            }
        }
        if (result <= 0)
        {
            printf("ERROR %s\n", topic.error);
            status = result == SHM_ECORRUPT ? 3 : 4;
            break;
        }
        if (seq == hold_at)
        {
            /* A claim that is never committed: half the body written, the length word still -L. */
            tm_fill(claim.body, tag, seq, length / 2 < 12 ? 12 : length / 2);
            printf("HOLDING seq=%" PRId64 " position=%" PRId64 " end=%" PRId64 "\n", seq, claim.position, result);
            while (1)
            {
                pause();
            }
        }
        if (claim_every > 0 && seq % claim_every == claim_every - 1)
        {
            tm_fill(claim.body, tag, seq, length); /* written in place, then committed */
            shm_publisher_commit(&pub, &claim, tag);
        }
        else
        {
            /* An offer: the body copied from a buffer of the caller's. */
            tm_fill(body, tag, seq, length);
            memcpy(claim.body, body, (size_t)length);
            shm_publisher_commit(&pub, &claim, tag);
        }
        tm_fill(body, tag, seq, length);
        fnv = tm_fnv(fnv, body, length);
        if (print)
        {
            printf("SENT seq=%" PRId64 " t=%" PRId64 "\n", seq, shm_now_ns());
        }
        if (every > 0 && (seq + 1) % every == 0)
        {
            sleep_us(sleep_for);
        }
    }
    if (status == 0)
    {
        printf("DONE tag=%d count=%" PRId64 " fnv=%016" PRIx64 " backPressured=%" PRId64 " adminAction=%" PRId64
            " notConnected=%" PRId64 " wakes=%" PRId64 "\n", tag, count, fnv, pub.back_pressured, admin,
            not_connected, pub.wakes);
    }
    free(body);
    shm_publisher_leave(&pub);
    shm_topic_close(&topic);
    return status;
}
