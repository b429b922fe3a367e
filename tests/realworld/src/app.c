// fixture:notes/app@0.1.0 (notes.wit, world app-world) in C for wasm32-wasi: it imports
// fixture:notes/library@0.1.0 and drives a notebook through it (resources, records, lists,
// options, results, variants and flags both ways). The Canonical ABI glue is written by hand,
// with wit-bindgen's names.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define IMPORT(name) __attribute__((import_module("fixture:notes/library@0.1.0"), import_name(name)))
#define APP "fixture:notes/app@0.1.0"

typedef struct { char *ptr; size_t len; } str_t;
typedef struct { str_t *ptr; size_t len; } strs_t;

enum { LOW = 0, NORMAL = 1, HIGH = 2 };
typedef struct {
  str_t title;
  str_t body;
  strs_t tags;
  uint8_t level;
  struct { uint8_t is_some; uint64_t val; } stamp;
} note_t;
typedef struct { note_t *ptr; size_t len; } notes_t;
typedef struct { uint8_t is_some; note_t val; } option_note_t;
typedef struct { uint8_t tag; str_t val; } failure_t;
typedef struct { uint8_t is_err; union { uint32_t ok; failure_t err; } val; } result_u32_t;
typedef struct { uint8_t is_err; union { note_t ok; failure_t err; } val; } result_note_t;
typedef struct { uint8_t is_err; union { int32_t ok; failure_t err; } val; } result_book_t;

enum { A_WRITE = 0, A_TAG = 1, A_ERASE = 2, A_FIND = 3, A_OPEN = 4 };
typedef struct {
  uint8_t tag;
  union {
    struct { str_t a, b; } pair;
    str_t one;
    struct { uint8_t is_some; str_t val; } maybe;
  } val;
} action_t;
typedef struct {
  uint32_t notes;
  strs_t titles;
  uint64_t body_bytes;
  struct { uint8_t is_some; str_t val; } loudest;
} digest_t;
typedef struct { uint8_t is_err; union { digest_t ok; str_t err; } val; } result_digest_t;

_Static_assert(sizeof(note_t) == 48, "note");
_Static_assert(sizeof(action_t) == 20, "action");
_Static_assert(sizeof(digest_t) == 40, "digest");
_Static_assert(sizeof(result_digest_t) == 48, "result<digest, string>");

// The library's functions as this component lowers them (results through a return pointer).
IMPORT("[constructor]notebook") int32_t lib_notebook(char *p, size_t n);
IMPORT("[method]notebook.add")
void lib_add(int32_t self, char *tp, size_t tn, char *bp, size_t bn, str_t *gp, size_t gn,
             int32_t level, int32_t has_stamp, int64_t stamp, result_u32_t *ret);
IMPORT("[method]notebook.get") void lib_get(int32_t self, char *p, size_t n, option_note_t *ret);
IMPORT("[method]notebook.search")
void lib_search(int32_t self, int32_t disc, int32_t a, int32_t n, notes_t *ret);
IMPORT("[method]notebook.remove") void lib_remove(int32_t self, char *p, size_t n, result_note_t *ret);
IMPORT("[resource-drop]notebook") void lib_drop(int32_t handle);
IMPORT("open") void lib_open(char *p, size_t n, int32_t mode, result_book_t *ret);
IMPORT("shout") void lib_shout(char *p, size_t n, str_t *ret);
IMPORT("checksum") uint32_t lib_checksum(uint8_t *p, size_t n);

static void xfree(void *p) {
  if ((uintptr_t)p >= 16) free(p);
}

EXPORT("cabi_realloc") void *cabi_realloc(void *ptr, size_t old, size_t align, size_t size) {
  (void)old;
  if (size == 0) return (void *)align;
  void *p = realloc(ptr, size);
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

// What the library's results put in this memory: freed once read.
static void free_note(note_t *n) {
  xfree(n->title.ptr);
  xfree(n->body.ptr);
  for (size_t i = 0; i < n->tags.len; i++) xfree(n->tags.ptr[i].ptr);
  xfree(n->tags.ptr);
}

static void free_action(action_t *a) {
  switch (a->tag) {
    case A_WRITE:
    case A_TAG:
      xfree(a->val.pair.a.ptr);
      xfree(a->val.pair.b.ptr);
      break;
    case A_ERASE:
    case A_OPEN:
      xfree(a->val.one.ptr);
      break;
    case A_FIND:
      if (a->val.maybe.is_some) xfree(a->val.maybe.val.ptr);
      break;
  }
}

static const char *FAILURES[] = {"duplicate", "missing", "denied", "full"};

static result_digest_t ret_digest;

// err("<what> <title>: <failure>(<text>)"), a string this component allocates
static result_digest_t *fail(const char *what, str_t title, const failure_t *f) {
  char text[256];
  int n = f == NULL
    ? snprintf(text, sizeof text, "%s %.*s: no such note", what, (int)title.len, title.ptr)
    : f->tag == 3
    ? snprintf(text, sizeof text, "%s %.*s: full", what, (int)title.len, title.ptr)
    : snprintf(text, sizeof text, "%s %.*s: %s(%.*s)", what, (int)title.len, title.ptr,
               FAILURES[f->tag], (int)f->val.len, f->val.ptr);
  if (f != NULL && f->tag != 3) xfree(f->val.ptr);
  ret_digest.is_err = 1;
  ret_digest.val.err = copy_str(text, (size_t)n);
  return &ret_digest;
}

// The library takes ownership of what it is passed (strings and lists in its own memory are
// copies the adapter made), so a call passes pointers into this memory freely.
static int add_note(int32_t book, str_t title, str_t body, strs_t tags, uint8_t level,
                    uint64_t stamp, failure_t *err) {
  result_u32_t r;
  lib_add(book, title.ptr, title.len, body.ptr, body.len, tags.ptr, tags.len, level, 1,
          (int64_t)stamp, &r);
  if (r.is_err) *err = r.val.err;
  return !r.is_err;
}

EXPORT(APP "#run") result_digest_t *run(action_t *actions, size_t count) {
  int32_t book = lib_notebook("app", 3);
  uint64_t stamp = 0;
  result_digest_t *out = NULL;
  for (size_t i = 0; i < count && out == NULL; i++) {
    action_t *a = &actions[i];
    failure_t err;
    switch (a->tag) {
      case A_WRITE: {
        strs_t none = {(str_t *)(uintptr_t)4, 0};
        if (!add_note(book, a->val.pair.a, a->val.pair.b, none, NORMAL, ++stamp, &err)) {
          out = fail("write", a->val.pair.a, &err);
        }
        break;
      }
      case A_TAG: {
        // get it, take it out, put it back with one more tag and a high level
        str_t title = a->val.pair.a;
        option_note_t got;
        lib_get(book, title.ptr, title.len, &got);
        if (!got.is_some) {
          out = fail("tag", title, NULL);
          break;
        }
        free_note(&got.val);
        result_note_t removed;
        lib_remove(book, title.ptr, title.len, &removed);
        if (removed.is_err) {
          out = fail("tag", title, &removed.val.err);
          break;
        }
        note_t n = removed.val.ok;
        str_t *tags = malloc(sizeof(str_t) * (n.tags.len + 1));
        memcpy(tags, n.tags.ptr, sizeof(str_t) * n.tags.len);
        tags[n.tags.len] = a->val.pair.b;
        if (!add_note(book, n.title, n.body, (strs_t){tags, n.tags.len + 1}, HIGH,
                      n.stamp.is_some ? n.stamp.val : 0, &err)) {
          out = fail("tag", title, &err);
        }
        // the copies the call made are the library's; these are ours
        for (size_t k = 0; k < n.tags.len; k++) xfree(n.tags.ptr[k].ptr);
        xfree(n.tags.ptr);
        xfree(n.title.ptr);
        xfree(n.body.ptr);
        free(tags);
        break;
      }
      case A_ERASE: {
        result_note_t removed;
        lib_remove(book, a->val.one.ptr, a->val.one.len, &removed);
        if (removed.is_err) out = fail("erase", a->val.one, &removed.val.err);
        else free_note(&removed.val.ok);
        break;
      }
      case A_FIND: {
        notes_t found;
        if (a->val.maybe.is_some) {
          lib_search(book, 1, (int32_t)(uintptr_t)a->val.maybe.val.ptr,
                     (int32_t)a->val.maybe.val.len, &found);
        } else {
          lib_search(book, 0, 0, 0, &found);
        }
        for (size_t k = 0; k < found.len; k++) free_note(&found.ptr[k]);
        xfree(found.ptr);
        break;
      }
      case A_OPEN: {
        // names starting with "ro-" are opened read-only (and refused)
        str_t name = a->val.one;
        int32_t mode = name.len >= 3 && memcmp(name.ptr, "ro-", 3) == 0 ? 1 : 3;
        result_book_t opened;
        lib_open(name.ptr, name.len, mode, &opened);
        if (opened.is_err) out = fail("open", name, &opened.val.err);
        else lib_drop(opened.val.ok);
        break;
      }
    }
  }
  for (size_t i = 0; i < count; i++) free_action(&actions[i]);
  xfree(actions);
  if (out != NULL) {
    lib_drop(book);
    return out;
  }
  // the digest: every note at least `low`, their titles, body bytes, and the first title shouted
  notes_t all;
  lib_search(book, 2, LOW, 0, &all);
  digest_t *d = &ret_digest.val.ok;
  ret_digest.is_err = 0;
  d->notes = (uint32_t)all.len;
  d->titles.ptr = malloc(sizeof(str_t) * (all.len ? all.len : 1));
  d->titles.len = all.len;
  d->body_bytes = 0;
  for (size_t k = 0; k < all.len; k++) {
    d->titles.ptr[k] = all.ptr[k].title; // moved into the digest
    d->body_bytes += all.ptr[k].body.len;
    xfree(all.ptr[k].body.ptr);
    for (size_t j = 0; j < all.ptr[k].tags.len; j++) xfree(all.ptr[k].tags.ptr[j].ptr);
    xfree(all.ptr[k].tags.ptr);
  }
  d->loudest.is_some = all.len > 0;
  if (all.len > 0) {
    str_t first = d->titles.ptr[0];
    lib_shout(first.ptr, first.len, &d->loudest.val);
  }
  xfree(all.ptr);
  lib_drop(book);
  return &ret_digest;
}

EXPORT("cabi_post_" APP "#run") void post_run(result_digest_t *r) {
  if (r->is_err) {
    xfree(r->val.err.ptr);
    return;
  }
  for (size_t k = 0; k < r->val.ok.titles.len; k++) xfree(r->val.ok.titles.ptr[k].ptr);
  xfree(r->val.ok.titles.ptr);
  if (r->val.ok.loudest.is_some) xfree(r->val.ok.loudest.val.ptr);
}

static str_t ret_echo;

// "<" + the library's shout of the string + ">"
EXPORT(APP "#echo") str_t *echo(char *p, size_t n) {
  str_t loud;
  lib_shout(p, n, &loud);
  xfree(p);
  ret_echo.len = loud.len + 2;
  ret_echo.ptr = malloc(ret_echo.len);
  ret_echo.ptr[0] = '<';
  memcpy(ret_echo.ptr + 1, loud.ptr, loud.len);
  ret_echo.ptr[loud.len + 1] = '>';
  xfree(loud.ptr);
  return &ret_echo;
}

EXPORT("cabi_post_" APP "#echo") void post_echo(str_t *r) { xfree(r->ptr); }

EXPORT(APP "#checksum") uint32_t checksum(uint8_t *p, size_t n) {
  uint32_t h = lib_checksum(p, n);
  xfree(p);
  return h;
}
