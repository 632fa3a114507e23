// Calls compiled losses through their C interfaces (`_mlir_ciface_<name>`,
// memref descriptors, results as out-params) with every buffer, inputs and
// output, flush against a PROT_NONE page: at the end of its pages ("end":
// a read or write past the last element faults) or at their start ("start":
// one before the first faults). Any fault fails the case.
//
//   guard_page_harness LIB.so CASES.txt end|start
//
// The library's own buffers (temporaries, and the GPU emulation's copies
// of its arguments) are guarded too: build it with its malloc and free
// renamed to loss_guard_malloc and loss_guard_free (llvm-objcopy
// --redefine-sym), which this harness exports (link it with -rdynamic).
//
// CASES.txt (test/Integration/generators/guard_page.py):
//   case NAME FUNCTION ok|abort
//   in TYPE RANK DIMS... VALUES...    (TYPE: f32 or i64)
//   out f32 RANK DIMS... VALUES...    (expected; nan, inf, -inf)
//   end
// `abort` cases must stop with the run-time size check's message before
// any read. Each case runs in a child process; prints one line per failure
// and a summary, exits 1 if any case failed.

#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

enum { MAX_RANK = 4, MAX_ARGS = 8 };

typedef struct {
  int isInt; // i64, else f32
  int rank;
  int64_t dims[MAX_RANK];
  int64_t count;
  void *values; // float[] or int64_t[]
} Tensor;

typedef struct {
  char name[128], func[128];
  int abort;
  int numIn;
  Tensor in[MAX_ARGS];
  Tensor out;
} Case;

// A ranked memref descriptor of rank <= MAX_RANK: {allocated, aligned,
// offset, sizes[rank], strides[rank]} with the unused tail ignored.
typedef struct {
  void *allocated, *aligned;
  int64_t offset;
  int64_t shape[2 * MAX_RANK];
} Descriptor;

static size_t pageSize;

static size_t elementSize(const Tensor *t) { return t->isInt ? 8 : 4; }

// `bytes` placed flush against a guard page: [guard][data pages][guard],
// the data at the end of its pages (`atEnd`) or at their start.
static void *guarded(size_t bytes, int atEnd) {
  size_t dataPages = (bytes + pageSize - 1) / pageSize;
  size_t total = (dataPages + 2) * pageSize;
  char *base = mmap(NULL, total, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) {
    perror("mmap");
    exit(2);
  }
  if (mprotect(base, pageSize, PROT_NONE) ||
      mprotect(base + (dataPages + 1) * pageSize, pageSize, PROT_NONE)) {
    perror("mprotect");
    exit(2);
  }
  char *data = base + pageSize;
  return atEnd ? data + dataPages * pageSize - bytes : data;
}

static int placeAtEnd;

// The library's allocations, each against a guard page like the arguments
// (rounded up to malloc's 16-byte alignment, which compiled code may rely
// on). Never unmapped: a case runs in a child that exits soon.
void *loss_guard_malloc(size_t bytes) {
  return guarded((bytes + 15) & ~(size_t)15, placeAtEnd);
}

void loss_guard_free(void *p) { (void)p; }

static void describe(Descriptor *d, const Tensor *t, void *data) {
  d->allocated = d->aligned = data;
  d->offset = 0;
  int64_t stride = 1;
  for (int i = t->rank - 1; i >= 0; --i) {
    d->shape[i] = t->dims[i];
    d->shape[t->rank + i] = stride;
    stride *= t->dims[i];
  }
}

static int readTensor(FILE *f, Tensor *t) {
  char type[8];
  if (fscanf(f, "%7s %d", type, &t->rank) != 2 || t->rank > MAX_RANK)
    return 0;
  t->isInt = strcmp(type, "i64") == 0;
  t->count = 1;
  for (int i = 0; i < t->rank; ++i) {
    if (fscanf(f, "%ld", &t->dims[i]) != 1)
      return 0;
    t->count *= t->dims[i];
  }
  t->values = malloc(t->count * elementSize(t) + 1);
  char tok[64];
  for (int64_t i = 0; i < t->count; ++i) {
    if (fscanf(f, "%63s", tok) != 1)
      return 0;
    if (t->isInt)
      ((int64_t *)t->values)[i] = strtoll(tok, NULL, 10);
    else
      ((float *)t->values)[i] = strtof(tok, NULL);
  }
  return 1;
}

static int readCase(FILE *f, Case *c) {
  char tok[32], kind[8];
  while (fscanf(f, "%31s", tok) == 1) {
    if (tok[0] == '#') { // a comment line
      int ch;
      while ((ch = fgetc(f)) != EOF && ch != '\n')
        ;
      continue;
    }
    if (strcmp(tok, "case") != 0)
      return -1;
    if (fscanf(f, "%127s %127s %7s", c->name, c->func, kind) != 3)
      return -1;
    c->abort = strcmp(kind, "abort") == 0;
    c->numIn = 0;
    while (fscanf(f, "%31s", tok) == 1) {
      if (strcmp(tok, "in") == 0) {
        if (c->numIn == MAX_ARGS || !readTensor(f, &c->in[c->numIn++]))
          return -1;
      } else if (strcmp(tok, "out") == 0) {
        if (!readTensor(f, &c->out))
          return -1;
      } else if (strcmp(tok, "end") == 0) {
        return 1;
      } else {
        return -1;
      }
    }
    return -1;
  }
  return 0;
}

typedef void (*Fn1)(void *);
typedef void (*Fn2)(void *, void *);
typedef void (*Fn3)(void *, void *, void *);
typedef void (*Fn4)(void *, void *, void *, void *);
typedef void (*Fn5)(void *, void *, void *, void *, void *);
typedef void (*Fn6)(void *, void *, void *, void *, void *, void *);

// In the child: places the buffers, calls, compares. Exit 0: values as
// expected; 1: a mismatch (printed).
static int runChild(void *fn, const Case *c, int atEnd) {
  Descriptor d[MAX_ARGS + 1];
  void *p[MAX_ARGS + 1];
  for (int i = 0; i < c->numIn; ++i) {
    const Tensor *t = &c->in[i];
    size_t bytes = t->count * elementSize(t);
    void *buf = guarded(bytes, atEnd);
    memcpy(buf, t->values, bytes);
    // Inputs are read-only: writing one faults too.
    if (bytes) {
      uintptr_t first = (uintptr_t)buf & ~(uintptr_t)(pageSize - 1);
      uintptr_t last = ((uintptr_t)buf + bytes + pageSize - 1) &
                       ~(uintptr_t)(pageSize - 1);
      if (mprotect((void *)first, last - first, PROT_READ)) {
        perror("mprotect");
        exit(2);
      }
    }
    describe(&d[i], t, buf);
    p[i] = &d[i];
  }
  size_t outBytes = c->out.count * sizeof(float);
  float *out = guarded(outBytes, atEnd);
  for (int64_t i = 0; i < c->out.count; ++i)
    out[i] = 12345.0f; // a value no case expects
  describe(&d[c->numIn], &c->out, out);
  p[c->numIn] = &d[c->numIn];
  switch (c->numIn + 1) {
  case 2: ((Fn2)fn)(p[0], p[1]); break;
  case 3: ((Fn3)fn)(p[0], p[1], p[2]); break;
  case 4: ((Fn4)fn)(p[0], p[1], p[2], p[3]); break;
  case 5: ((Fn5)fn)(p[0], p[1], p[2], p[3], p[4]); break;
  case 6: ((Fn6)fn)(p[0], p[1], p[2], p[3], p[4], p[5]); break;
  default: fprintf(stderr, "%s: too many arguments\n", c->name); return 1;
  }
  if (c->abort) {
    printf("FAIL %s: ran to the end, expected the run-time check\n", c->name);
    return 1;
  }
  const float *want = c->out.values;
  int ok = 1;
  for (int64_t i = 0; i < c->out.count; ++i) {
    double g = out[i], e = want[i];
    int same = isnan(e) ? isnan(g)
               : isinf(e) ? g == e
                          : !isnan(g) && fabs(g - e) <= 1e-6 + 1e-5 * fabs(e);
    if (!same) {
      printf("FAIL %s: element %ld is %.9g, expected %.9g\n", c->name, (long)i,
             g, e);
      ok = 0;
    }
  }
  fflush(stdout);
  return ok ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s LIB.so CASES.txt end|start\n", argv[0]);
    return 2;
  }
  pageSize = (size_t)sysconf(_SC_PAGESIZE);
  int atEnd = strcmp(argv[3], "end") == 0;
  placeAtEnd = atEnd;
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fprintf(stderr, "%s\n", dlerror());
    return 2;
  }
  FILE *f = fopen(argv[2], "r");
  if (!f) {
    perror(argv[2]);
    return 2;
  }
  static Case c;
  int numCases = 0, numFailed = 0, r;
  while ((r = readCase(f, &c)) == 1) {
    ++numCases;
    char sym[160];
    snprintf(sym, sizeof sym, "_mlir_ciface_%s", c.func);
    void *fn = dlsym(lib, sym);
    if (!fn) {
      printf("FAIL %s: no symbol %s\n", c.name, sym);
      ++numFailed;
      continue;
    }
    int pipe_[2];
    if (pipe(pipe_)) {
      perror("pipe");
      return 2;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
      close(pipe_[0]);
      // The run-time check prints its message to stdout, then aborts.
      dup2(pipe_[1], 1);
      setvbuf(stdout, NULL, _IONBF, 0);
      _exit(runChild(fn, &c, atEnd));
    }
    close(pipe_[1]);
    char text[4096];
    size_t len = 0;
    ssize_t n;
    while ((n = read(pipe_[0], text + len, sizeof text - 1 - len)) > 0)
      len += (size_t)n;
    text[len] = 0;
    close(pipe_[0]);
    int status;
    waitpid(pid, &status, 0);
    int passed;
    if (c.abort) {
      passed = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT &&
               strstr(text, "loss: operand dimensions differ at run time");
    } else {
      passed = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    if (!passed) {
      ++numFailed;
      fputs(text, stdout);
      if (WIFSIGNALED(status))
        printf("FAIL %s: killed by signal %d (%s)\n", c.name, WTERMSIG(status),
               strsignal(WTERMSIG(status)));
      else if (c.abort && !strstr(text, "FAIL"))
        printf("FAIL %s: exit %d, expected the run-time check\n", c.name,
               WEXITSTATUS(status));
    }
    for (int i = 0; i < c.numIn; ++i)
      free(c.in[i].values);
    free(c.out.values);
  }
  if (r < 0) {
    fprintf(stderr, "%s: malformed case after %d cases\n", argv[2], numCases);
    return 2;
  }
  printf("%s: %d cases, %d failed\n", argv[3], numCases, numFailed);
  return numFailed ? 1 : 0;
}
