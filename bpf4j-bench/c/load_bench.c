// The C side of the object benchmarks: the same work as ObjectLoadBench, through libbpf.
// Usage: load_bench parse ROUNDS MILLIS OBJECT...   -> per round and object: "parse OBJ ns/op user-ns/op cpu-ns/op"
//        load_bench setup ROUNDS MILLIS OBJECT...   -> per round and object: "setup OBJ ns/op user-ns/op cpu-ns/op"
//        load_bench load BATCHES OBJECT...          -> per batch and object: "load OBJ ns/op user-ns/op cpu-ns/op"
// parse: bpf_object__open_mem on a buffer already in memory, then bpf_object__close.
// setup: like parse (rounds of MILLIS ms), but open_mem, every program's autoload off, bpf_object__load
//        (BTF, maps, data: no program is loaded, so no pacing is needed), close.
// load:  open_mem, bpf_object__load (maps, BTF, programs), bpf_object__close; batches of 10 loads,
//        each followed by a 50 ms pause outside the timed part, because bursts of program loads and
//        frees have wedged this kernel before. Keep BATCHES small: every load is 3-4 programs.
// User time is getrusage(RUSAGE_THREAD).ru_utime, as on the Java side. The kernel splits a
// thread's (exact) run time into user and system by the ticks it sampled (CONFIG_HZ), so it is only
// meaningful summed over many operations. load also prints a sixth column, sampled user ns/op: the
// thread's CPU time times the user share of task-clock samples taken every 100 µs (ModeSampler.java
// does the same on the Java side), and a seventh, the wall time of bpf_object__open_mem inside the load
// loop, where the kernel's work between loads has left the caches cold; parse and setup print nan there.
#define _GNU_SOURCE // RUSAGE_THREAD
#include <bpf/libbpf.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define BATCH 10
#define PAUSE_US 50000

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

// This thread's on-CPU time (user + system), in ns: CLOCK_THREAD_CPUTIME_ID is exact, not tick-sampled.
static uint64_t cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t user_ns(void) {
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    return (uint64_t)ru.ru_utime.tv_sec * 1000000000ull + (uint64_t)ru.ru_utime.tv_usec * 1000ull;
}

// Samples this thread's task clock every SAMPLE_NS without signals; each record's cpumode says whether
// the thread was in user space or in the kernel at that moment.
#ifndef SAMPLE_NS
#define SAMPLE_NS 100000
#endif
#define RING_PAGES 64
static int sampler_fd = -1;
static void *sampler_ring;
static long page_size;

static void sampler_open(void) {
    struct perf_event_attr attr = {
        .type = PERF_TYPE_SOFTWARE,
        .size = PERF_ATTR_SIZE_VER0,
        .config = PERF_COUNT_SW_TASK_CLOCK,
        .sample_period = SAMPLE_NS,
        .disabled = 1,
        .exclude_hv = 1,
        .wakeup_events = 1000000,
    };
    sampler_fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
    if (sampler_fd < 0) {
        perror("perf_event_open(task-clock)");
        exit(1);
    }
    page_size = sysconf(_SC_PAGESIZE);
    sampler_ring = mmap(NULL, (size_t)(1 + RING_PAGES) * page_size, PROT_READ | PROT_WRITE, MAP_SHARED, sampler_fd, 0);
    if (sampler_ring == MAP_FAILED) {
        perror("mmap perf ring");
        exit(1);
    }
}

// Stops sampling and returns the user share of the samples taken since it was enabled.
static double sampler_stop(void) {
    ioctl(sampler_fd, PERF_EVENT_IOC_DISABLE, 0);
    struct perf_event_mmap_page *meta = sampler_ring;
    uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE), tail = meta->data_tail;
    uint64_t size = (uint64_t)RING_PAGES * page_size, user = 0, kernel = 0;
    const char *data = (const char *)sampler_ring + page_size;
    while (tail < head) {
        const struct perf_event_header *h = (const void *)(data + tail % size);
        if (h->type == PERF_RECORD_SAMPLE) {
            unsigned mode = h->misc & PERF_RECORD_MISC_CPUMODE_MASK;
            user += mode == PERF_RECORD_MISC_USER;
            kernel += mode == PERF_RECORD_MISC_KERNEL;
        } else if (h->type == PERF_RECORD_LOST) {
            fprintf(stderr, "the perf ring overflowed\n");
            exit(1);
        }
        tail += h->size;
    }
    __atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
    return user + kernel ? (double)user / (double)(user + kernel) : 0;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args) {
    // bpf4j prints nothing on success either; warnings still show
    return level == LIBBPF_WARN ? vfprintf(stderr, fmt, args) : 0;
}

struct object {
    const char *path;
    const char *name;
    void *data;
    size_t size;
};

static void read_object(struct object *o, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    o->size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    o->data = malloc(o->size);
    if (fread(o->data, 1, o->size, f) != o->size) {
        perror(path);
        exit(1);
    }
    fclose(f);
    o->path = path;
    const char *slash = strrchr(path, '/');
    o->name = slash ? slash + 1 : path;
}

static struct bpf_object *open_object(const struct object *o) {
    // object_name as bpf_object__open_file would derive it from the path
    LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = o->name);
    struct bpf_object *obj = bpf_object__open_mem(o->data, o->size, &opts);
    if (!obj) {
        fprintf(stderr, "%s: open failed\n", o->path);
        exit(1);
    }
    return obj;
}

// One object's open (and, for setup, load with no program) and close.
static void open_close(const struct object *o, int setup) {
    struct bpf_object *obj = open_object(o);
    if (setup) {
        struct bpf_program *prog;
        bpf_object__for_each_program(prog, obj) {
            bpf_program__set_autoload(prog, false);
        }
        int err = bpf_object__load(obj);
        if (err) {
            fprintf(stderr, "%s: load without programs failed: %d\n", o->path, err);
            exit(1);
        }
    }
    bpf_object__close(obj);
}

static void timed_round(const struct object *o, int millis, int setup) {
    uint64_t ops = 0, start = now_ns(), user = user_ns(), cpu = cpu_ns(), end = start + (uint64_t)millis * 1000000ull, t;
    do {
        for (int i = 0; i < 16; i++) {
            open_close(o, setup);
        }
        ops += 16;
        t = now_ns();
    } while (t < end);
    uint64_t u = user_ns() - user, c = cpu_ns() - cpu;
    printf("%s %s %.1f %.1f %.1f nan nan\n", setup ? "setup" : "parse", o->name, (double)(t - start) / ops, (double)u / ops,
           (double)c / ops);
}

static void load_batch(const struct object *o) {
    uint64_t start = now_ns(), user = user_ns(), cpu = cpu_ns();
    ioctl(sampler_fd, PERF_EVENT_IOC_ENABLE, 0);
    uint64_t open_ns = 0;
    for (int i = 0; i < BATCH; i++) {
        uint64_t before = now_ns();
        struct bpf_object *obj = open_object(o);
        open_ns += now_ns() - before;
        int err = bpf_object__load(obj);
        if (err) {
            fprintf(stderr, "%s: load failed: %d\n", o->path, err);
            exit(1);
        }
        bpf_object__close(obj);
    }
    double share = sampler_stop();
    uint64_t t = now_ns(), u = user_ns() - user, c = cpu_ns() - cpu;
    printf("load %s %.1f %.1f %.1f %.1f %.1f\n", o->name, (double)(t - start) / BATCH, (double)u / BATCH,
           (double)c / BATCH, (double)c * share / BATCH, (double)open_ns / BATCH);
    fflush(stdout);
    usleep(PAUSE_US);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s parse|setup ROUNDS MILLIS OBJECT... | load BATCHES OBJECT...\n", argv[0]);
        return 2;
    }
    libbpf_set_print(quiet);
    int setup = strcmp(argv[1], "setup") == 0;
    int parse = setup || strcmp(argv[1], "parse") == 0;
    int first = parse ? 4 : 3;
    int n = argc - first;
    struct object *objects = calloc((size_t)n, sizeof(*objects));
    for (int i = 0; i < n; i++) {
        read_object(&objects[i], argv[first + i]);
    }
    if (!parse) {
        sampler_open();
    }
    int rounds = atoi(argv[2]);
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < n; i++) {
            if (parse) {
                timed_round(&objects[i], atoi(argv[3]), setup);
            } else {
                load_batch(&objects[i]);
            }
        }
        fflush(stdout);
    }
    return 0;
}
