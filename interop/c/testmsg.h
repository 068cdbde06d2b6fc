/*
 * The messages the conformance programs and the Java tests exchange (io.shmbus.interop.TestMessage is the same in
 * Java). A message of publisher tag T with sequence number S has the message type T and a body of
 * 12 + (S * 37 + T * 11) % span bytes: S (int64, little-endian), T (int32), then byte i (from 12) is
 * (S * 31 + i * 7 + T) & 0xff. Checksums are FNV-1a 64 over the bodies of one tag, in sequence order.
 */
#ifndef SHMBUS_TESTMSG_H
#define SHMBUS_TESTMSG_H

#include <stdint.h>
#include <string.h>

#define TM_FNV_OFFSET 0xcbf29ce484222325ULL
#define TM_FNV_PRIME 0x100000001b3ULL

static inline int32_t tm_length(int32_t tag, int64_t seq, int32_t span)
{
    return 12 + (int32_t)(((uint64_t)seq * 37u + (uint64_t)(uint32_t)tag * 11u) % (uint64_t)span);
}

static inline uint8_t tm_byte(int32_t tag, int64_t seq, int32_t i)
{
    return (uint8_t)((uint64_t)seq * 31u + (uint64_t)i * 7u + (uint64_t)(uint32_t)tag);
}

static inline void tm_fill(uint8_t *body, int32_t tag, int64_t seq, int32_t length)
{
    memcpy(body, &seq, 8);
    memcpy(body + 8, &tag, 4);
    for (int32_t i = 12; i < length; i++)
    {
        body[i] = tm_byte(tag, seq, i);
    }
}

/* 1 when the body is exactly what publisher tag would have sent as its number seq. */
static inline int tm_verify(const uint8_t *body, int32_t length, int32_t span, int32_t *tag, int64_t *seq)
{
    if (length < 12)
    {
        return 0;
    }
    memcpy(seq, body, 8);
    memcpy(tag, body + 8, 4);
    if (*seq < 0 || length != tm_length(*tag, *seq, span))
    {
        return 0;
    }
    for (int32_t i = 12; i < length; i++)
    {
        if (body[i] != tm_byte(*tag, *seq, i))
        {
            return 0;
        }
    }
    return 1;
}

static inline uint64_t tm_fnv(uint64_t hash, const uint8_t *bytes, int32_t length)
{
    for (int32_t i = 0; i < length; i++)
    {
        hash ^= bytes[i];
        hash *= TM_FNV_PRIME;
    }
    return hash;
}

#endif
