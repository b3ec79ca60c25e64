// The C side of the map benchmarks: the same operations as MapOpsBench, through libbpf.
// Usage: map_bench ROUNDS MILLIS [idle]  -> one line per round and operation: "<op> <ns per op>"
// With "idle", a second thread sleeps beside the benchmark: a multithreaded process (every JVM is
// one) shares its file table, so the kernel takes a real reference on the fd in every bpf() call.
#include <bpf/bpf.h>
#include <pthread.h>
#include <string.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define ENTRIES 1024
#define BIG_ENTRIES 100000 // iteration and batch walks go over 100k entries

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int make_map(enum bpf_map_type type, uint32_t entries) {
    int fd = bpf_map_create(type, "bench", 4, 8, entries, NULL);
    if (fd < 0) {
        perror("bpf_map_create");
        exit(1);
    }
    for (uint32_t k = 0; k < entries; k++) {
        uint64_t v = k;
        bpf_map_update_elem(fd, &k, &v, BPF_ANY);
    }
    return fd;
}

// Runs op for about `millis`, returns ns per operation (per key for iteration/batch).
typedef uint64_t (*op_fn)(int fd, uint64_t i);

static uint64_t lookup(int fd, uint64_t i) {
    uint32_t k = i & (ENTRIES - 1);
    uint64_t v;
    bpf_map_lookup_elem(fd, &k, &v);
    return 1;
}

static uint64_t update(int fd, uint64_t i) {
    uint32_t k = i & (ENTRIES - 1);
    uint64_t v = i;
    bpf_map_update_elem(fd, &k, &v, BPF_ANY);
    return 1;
}

static uint64_t next_key_walk(int fd, uint64_t i) {
    (void)i;
    uint32_t key, next;
    uint64_t n = 0;
    void *prev = NULL;
    while (bpf_map_get_next_key(fd, prev, &next) == 0) {
        key = next;
        prev = &key;
        n++;
    }
    return n;
}

static uint64_t batch_walk(int fd, uint64_t i) {
    (void)i;
    static uint32_t keys[256];
    static uint64_t values[256];
    uint32_t out_batch, count;
    uint64_t n = 0;
    void *in = NULL;
    LIBBPF_OPTS(bpf_map_batch_opts, opts);
    for (;;) {
        count = 256;
        int err = bpf_map_lookup_batch(fd, in, &out_batch, keys, values, &count, &opts);
        n += count;
        if (err) {
            break;  // ENOENT: the walk is complete
        }
        in = &out_batch;
    }
    return n;
}

static double measure(op_fn op, int fd, int millis, int calls_per_check) {
    uint64_t ops = 0, i = 0;
    uint64_t start = now_ns(), end = start + (uint64_t)millis * 1000000ull, t;
    do {
        for (int j = 0; j < calls_per_check; j++) {
            ops += op(fd, i++);
        }
        t = now_ns();
    } while (t < end);
    return (double)(t - start) / (double)ops;
}

static void *sleeper(void *arg) {
    (void)arg;
    for (;;) {
        pause();
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc > 3 && strcmp(argv[3], "idle") == 0) {
        pthread_t thread;
        pthread_create(&thread, NULL, sleeper, NULL);
    }
    int rounds = argc > 1 ? atoi(argv[1]) : 5;
    int millis = argc > 2 ? atoi(argv[2]) : 500;
    int array = make_map(BPF_MAP_TYPE_ARRAY, ENTRIES);
    int hash = make_map(BPF_MAP_TYPE_HASH, ENTRIES);
    int big = make_map(BPF_MAP_TYPE_HASH, BIG_ENTRIES);
    for (int r = 0; r < rounds; r++) {
        printf("arrayLookup %.1f\n", measure(lookup, array, millis, 64));
        printf("arrayUpdate %.1f\n", measure(update, array, millis, 64));
        printf("hashLookup %.1f\n", measure(lookup, hash, millis, 64));
        printf("hashUpdate %.1f\n", measure(update, hash, millis, 64));
        printf("hashNextKey %.1f\n", measure(next_key_walk, big, millis, 1));
        printf("hashLookupBatch %.1f\n", measure(batch_walk, big, millis, 1));
        fflush(stdout);
    }
    close(array);
    close(hash);
    close(big);
    return 0;
}
