/*
 * fuzz.h — what the libFuzzer targets share: the entry point's prototype and a check that aborts
 * with a message (libFuzzer keeps the input that made it fail). Asserts would do, but a build
 * with NDEBUG must not quietly stop checking.
 */
#ifndef RATABLE_FUZZ_H
#define RATABLE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The input as a NUL-terminated string (it stops at the first NUL byte); the caller frees it. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Takes n bytes (fewer at the end of the input) as a little-endian unsigned number. */
static inline uint64_t fuzz_take(const uint8_t **data, size_t *size, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i<n && * size> 0; i++) {
        v |= (uint64_t) * *data << (8 * i);
        (*data)++;
        (*size)--;
    }
    return v;
}

#endif
