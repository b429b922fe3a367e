// fixture:notes/library@0.1.0 (notes.wit, world library-world), in C for wasm32-wasi with
// wasi-libc. The Canonical ABI glue is written by hand, with the names wit-bindgen gives:
// exports "fixture:notes/library@0.1.0#<function>", post-returns "cabi_post_<export>",
// "cabi_realloc", and the resource built-ins imported from "[export]fixture:notes/library@0.1.0".
// shout() logs to stderr, so the component imports WASI through the preview1 adapter.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define IMPORT(module, name) __attribute__((import_module(module), import_name(name)))
#define LIB "fixture:notes/library@0.1.0"

// ---- Canonical ABI layouts on wasm32 (sizes and alignments checked below) ----

typedef struct { char *ptr; size_t len; } str_t;
typedef struct { str_t *ptr; size_t len; } strs_t;
typedef struct { uint8_t *ptr; size_t len; } bytes_t;

enum { LOW = 0, NORMAL = 1, HIGH = 2 };
enum { ACCESS_READ = 1, ACCESS_WRITE = 2 };

typedef struct {
  str_t title;
  str_t body;
  strs_t tags;
  uint8_t level;
  struct { uint8_t is_some; uint64_t val; } stamp;
} note_t;

typedef struct { note_t *ptr; size_t len; } notes_t;
typedef struct { uint8_t is_some; note_t val; } option_note_t;

enum { F_DUPLICATE = 0, F_MISSING = 1, F_DENIED = 2, F_FULL = 3 };
typedef struct { uint8_t tag; str_t val; } failure_t;
typedef struct { uint8_t is_err; union { uint32_t ok; failure_t err; } val; } result_u32_t;
typedef struct { uint8_t is_err; union { note_t ok; failure_t err; } val; } result_note_t;
typedef struct { uint8_t is_err; union { int32_t ok; failure_t err; } val; } result_book_t;

_Static_assert(sizeof(note_t) == 48 && _Alignof(note_t) == 8, "note");
_Static_assert(sizeof(option_note_t) == 56, "option<note>");
_Static_assert(sizeof(failure_t) == 12, "failure");
_Static_assert(sizeof(result_u32_t) == 16, "result<u32, failure>");
_Static_assert(sizeof(result_note_t) == 56, "result<note, failure>");
_Static_assert(sizeof(result_book_t) == 16, "result<notebook, failure>");

IMPORT("[export]" LIB, "[resource-new]notebook") int32_t notebook_new(int32_t rep);

// An empty string or list has no block of its own: its pointer is whatever the other side
// chose (realloc of size 0 returns the alignment), so only real blocks are freed.
static void xfree(void *p) {
  if ((uintptr_t)p >= 16) free(p);
}

EXPORT("cabi_realloc") void *cabi_realloc(void *ptr, size_t old, size_t align, size_t size) {
  (void)old;
  if (size == 0) return (void *)align;
  void *p = realloc(ptr, size); // malloc's alignment (16) covers every Canonical ABI one
  if (p == NULL) abort();
  return p;
}

static str_t copy_str(const char *s, size_t n) {
  str_t out = {(char *)(uintptr_t)1, n};
  if (n > 0) {
    out.ptr = malloc(n);
    memcpy(out.ptr, s, n);
  }
  return out;
}


static int same(str_t a, str_t b) { return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0; }

static void free_note(note_t *n) {
  xfree(n->title.ptr);
  xfree(n->body.ptr);
  for (size_t i = 0; i < n->tags.len; i++) xfree(n->tags.ptr[i].ptr);
  xfree(n->tags.ptr);
}

// ---- the notebook resource: its representation is a pointer to this ----

#define CAPACITY 8
typedef struct {
  str_t owner;
  note_t notes[CAPACITY];
  size_t count;
} notebook_t;

// What a result handed out: freed by the post-return once the caller has read it.
static void *to_free[4];
static note_t removed;
static int has_removed;

static void later(void *p) {
  for (int i = 0; i < 4; i++) {
    if (to_free[i] == NULL) {
      to_free[i] = p;
      return;
    }
  }
  abort();
}

static void free_later(void) {
  for (int i = 0; i < 4; i++) {
    xfree(to_free[i]);
    to_free[i] = NULL;
  }
  if (has_removed) free_note(&removed);
  has_removed = 0;
}

static failure_t failure(uint8_t tag, const char *text, size_t n) {
  failure_t f = {tag, {(char *)(uintptr_t)1, 0}};
  if (tag != F_FULL) {
    f.val = copy_str(text, n);
    later(f.val.ptr);
  }
  return f;
}

static notebook_t *make_book(str_t owner) {
  notebook_t *b = calloc(1, sizeof(notebook_t));
  b->owner = owner; // the string the caller passed is ours now
  return b;
}

EXPORT(LIB "#[constructor]notebook") int32_t notebook_constructor(char *p, size_t n) {
  return notebook_new((int32_t)(uintptr_t)make_book((str_t){p, n}));
}

EXPORT(LIB "#[dtor]notebook") void notebook_dtor(int32_t rep) {
  notebook_t *b = (notebook_t *)(uintptr_t)rep;
  for (size_t i = 0; i < b->count; i++) free_note(&b->notes[i]);
  xfree(b->owner.ptr);
  free(b);
}

static str_t ret_str;

EXPORT(LIB "#[method]notebook.owner") str_t *notebook_owner(int32_t self) {
  notebook_t *b = (notebook_t *)(uintptr_t)self;
  ret_str = b->owner; // the notebook's own string: nothing to free afterwards
  return &ret_str;
}

static result_u32_t ret_u32;

EXPORT(LIB "#[method]notebook.add")
result_u32_t *notebook_add(int32_t self, char *tp, size_t tn, char *bp, size_t bn, str_t *gp,
                           size_t gn, int32_t level, int32_t has_stamp, int64_t stamp) {
  notebook_t *b = (notebook_t *)(uintptr_t)self;
  note_t n = {{tp, tn}, {bp, bn}, {gp, gn}, (uint8_t)level, {(uint8_t)has_stamp, (uint64_t)stamp}};
  ret_u32.is_err = 1;
  if (tn == 0) {
    ret_u32.val.err = failure(F_DENIED, "empty title", 11);
  } else if (b->count == CAPACITY) {
    ret_u32.val.err = failure(F_FULL, NULL, 0);
  } else {
    for (size_t i = 0; i < b->count; i++) {
      if (same(b->notes[i].title, n.title)) {
        ret_u32.val.err = failure(F_DUPLICATE, tp, tn);
        free_note(&n);
        return &ret_u32;
      }
    }
    b->notes[b->count++] = n; // the note's strings are the notebook's now
    ret_u32.is_err = 0;
    ret_u32.val.ok = (uint32_t)b->count;
    return &ret_u32;
  }
  free_note(&n);
  return &ret_u32;
}

EXPORT("cabi_post_" LIB "#[method]notebook.add") void post_add(result_u32_t *r) {
  (void)r;
  free_later();
}

static option_note_t ret_option;

EXPORT(LIB "#[method]notebook.get") option_note_t *notebook_get(int32_t self, char *p, size_t n) {
  notebook_t *b = (notebook_t *)(uintptr_t)self;
  str_t title = {p, n};
  ret_option.is_some = 0;
  for (size_t i = 0; i < b->count; i++) {
    if (same(b->notes[i].title, title)) {
      ret_option.is_some = 1;
      ret_option.val = b->notes[i]; // the stored note, read in place
      break;
    }
  }
  xfree(p);
  return &ret_option;
}

enum { Q_ALL = 0, Q_TAGGED = 1, Q_AT_LEAST = 2 };

static int has_tag(const note_t *n, str_t tag) {
  for (size_t i = 0; i < n->tags.len; i++) {
    if (same(n->tags.ptr[i], tag)) return 1;
  }
  return 0;
}

static notes_t ret_notes;

// query: the discriminant, then its payload joined into two i32s (a string, or a level)
EXPORT(LIB "#[method]notebook.search")
notes_t *notebook_search(int32_t self, int32_t disc, int32_t a, int32_t n) {
  notebook_t *b = (notebook_t *)(uintptr_t)self;
  note_t *out = malloc(sizeof(note_t) * (b->count ? b->count : 1));
  size_t found = 0;
  str_t tag = {(char *)(uintptr_t)a, (size_t)n};
  for (size_t i = 0; i < b->count; i++) {
    const note_t *x = &b->notes[i];
    int keep = disc == Q_ALL || (disc == Q_TAGGED && has_tag(x, tag)) ||
               (disc == Q_AT_LEAST && x->level >= (uint8_t)a);
    if (keep) out[found++] = *x; // shallow: the notebook's strings, read in place
  }
  if (disc == Q_TAGGED) xfree(tag.ptr);
  later(out);
  ret_notes.ptr = out;
  ret_notes.len = found;
  return &ret_notes;
}

EXPORT("cabi_post_" LIB "#[method]notebook.search") void post_search(notes_t *r) {
  (void)r;
  free_later();
}

static result_note_t ret_removed;

EXPORT(LIB "#[method]notebook.remove")
result_note_t *notebook_remove(int32_t self, char *p, size_t n) {
  notebook_t *b = (notebook_t *)(uintptr_t)self;
  str_t title = {p, n};
  for (size_t i = 0; i < b->count; i++) {
    if (same(b->notes[i].title, title)) {
      removed = b->notes[i];
      has_removed = 1; // its strings are freed by the post-return
      memmove(&b->notes[i], &b->notes[i + 1], sizeof(note_t) * (b->count - i - 1));
      b->count--;
      xfree(p);
      ret_removed.is_err = 0;
      ret_removed.val.ok = removed;
      return &ret_removed;
    }
  }
  ret_removed.is_err = 1;
  ret_removed.val.err = failure(F_MISSING, p, n);
  xfree(p);
  return &ret_removed;
}

EXPORT("cabi_post_" LIB "#[method]notebook.remove") void post_remove(result_note_t *r) {
  (void)r;
  free_later();
}

static result_book_t ret_book;

EXPORT(LIB "#open") result_book_t *open_book(char *p, size_t n, int32_t mode) {
  if (!(mode & ACCESS_WRITE)) {
    char text[96];
    int len = snprintf(text, sizeof text, "%.*s: read-only", (int)(n > 64 ? 64 : n), p);
    ret_book.is_err = 1;
    ret_book.val.err = failure(F_DENIED, text, (size_t)len);
    xfree(p);
    return &ret_book;
  }
  if (n == 0) {
    ret_book.is_err = 1;
    ret_book.val.err = failure(F_MISSING, "", 0);
    return &ret_book;
  }
  ret_book.is_err = 0;
  ret_book.val.ok = notebook_new((int32_t)(uintptr_t)make_book((str_t){p, n}));
  return &ret_book;
}

EXPORT("cabi_post_" LIB "#open") void post_open(result_book_t *r) {
  (void)r;
  free_later();
}

EXPORT(LIB "#shout") str_t *shout(char *p, size_t n) {
  fprintf(stderr, "library: shout %.*s\n", (int)n, p);
  fflush(stderr);
  // ASCII letters upper-cased, everything else (UTF-8 included) as it is, then "!"
  char *out = malloc(n + 1);
  for (size_t i = 0; i < n; i++) out[i] = (p[i] >= 'a' && p[i] <= 'z') ? p[i] - 32 : p[i];
  out[n] = '!';
  xfree(p);
  later(out);
  ret_str.ptr = out;
  ret_str.len = n + 1;
  return &ret_str;
}

EXPORT("cabi_post_" LIB "#shout") void post_shout(str_t *r) {
  (void)r;
  free_later();
}

// FNV-1a over the bytes
EXPORT(LIB "#checksum") uint32_t checksum(uint8_t *p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  xfree(p);
  return h;
}
