/*
 * libnv_z3shim.so: lets the Microsoft.Z3 4.12.2 .NET binding run on an older Linux libz3 (Debian 12's 4.8.12).
 *
 * Why it exists. The 4.12.2 binding releases native objects from the GC finalizer thread (Z3Object finalizers
 * call Z3_*_dec_ref and Z3_del_constructor*) while another thread may be inside a call on the same context. It
 * relies on Z3_enable_concurrent_dec_ref, which libz3 4.8.12 does not have: there a release racing with the
 * owning thread corrupts the context's reference counts and allocator.
 *
 * What it does. NatVerify.Smt's DLL import resolver loads the real libz3.so.4 first and then this library, and
 * hands this library's handle to the runtime for the name "libz3". The runtime resolves every P/Invoke with
 * dlsym on that handle, so the functions defined here win and every other Z3_* name falls through to libz3.so.4
 * (a DT_NEEDED dependency of this library). The functions defined here:
 *   - releases (every *_dec_ref the binding can call from a finalizer, Z3_del_constructor, Z3_del_constructor_list)
 *     only append (kind, object) to a queue of their context, under one mutex, on whatever thread calls them;
 *   - the matching *_inc_ref run the real inc_ref and then perform the queued releases of that context: inc_ref is
 *     only ever called by the thread that is using the context, so every real release runs on that thread;
 *   - Z3_mk_context(_rc) registers a context, Z3_del_context performs its queue and forgets it; releases for a
 *     context that is unknown (never registered, already deleted, or NULL after the binding's Dispose) are dropped,
 *     because Z3_del_context already freed their objects;
 *   - Z3_enable_concurrent_dec_ref is a no-op (the queue provides what it promises);
 *   - Z3_get_error_code / Z3_get_error_msg answer "no error" for a NULL context and for the one error read the
 *     binding makes right after a deferred Z3_del_constructor(_list) on the same thread (a finalizer must not read
 *     a context another thread is using, nor a deleted one);
 *   - Z3_get_decl_kind translates the 23 Z3_decl_kind values that were renumbered between the headers this file
 *     is compiled against and the 4.12.2 binding (only when the runtime library is the headers' version);
 *   - Z3_solver_propagate_init is refused: the user-propagator callback ABI differs between the versions.
 * nv_z3shim_* functions expose counters and a status for NatVerify.Smt's diagnostics and tests.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <z3.h>
#include <z3_version.h>

#define EXPORT __attribute__((visibility("default")))

typedef void (*release_fn)(Z3_context, void *);
typedef void (*inc_fn)(Z3_context, void *);

/* The release kinds the 4.12.2 binding issues from finalizers; the first 16 have a matching *_inc_ref. */
enum {
    K_AST, K_APPLY_RESULT, K_AST_MAP, K_AST_VECTOR, K_FIXEDPOINT, K_FUNC_ENTRY, K_FUNC_INTERP, K_GOAL,
    K_MODEL, K_OPTIMIZE, K_PARAM_DESCRS, K_PARAMS, K_PROBE, K_SOLVER, K_STATS, K_TACTIC,
    K_CONSTRUCTOR, K_CONSTRUCTOR_LIST, K_COUNT
};
#define K_REFCOUNTED 16

static const char *const release_names[K_COUNT] = {
    "Z3_dec_ref", "Z3_apply_result_dec_ref", "Z3_ast_map_dec_ref", "Z3_ast_vector_dec_ref",
    "Z3_fixedpoint_dec_ref", "Z3_func_entry_dec_ref", "Z3_func_interp_dec_ref", "Z3_goal_dec_ref",
    "Z3_model_dec_ref", "Z3_optimize_dec_ref", "Z3_param_descrs_dec_ref", "Z3_params_dec_ref",
    "Z3_probe_dec_ref", "Z3_solver_dec_ref", "Z3_stats_dec_ref", "Z3_tactic_dec_ref",
    "Z3_del_constructor", "Z3_del_constructor_list",
};

static const char *const inc_names[K_REFCOUNTED] = {
    "Z3_inc_ref", "Z3_apply_result_inc_ref", "Z3_ast_map_inc_ref", "Z3_ast_vector_inc_ref",
    "Z3_fixedpoint_inc_ref", "Z3_func_entry_inc_ref", "Z3_func_interp_inc_ref", "Z3_goal_inc_ref",
    "Z3_model_inc_ref", "Z3_optimize_inc_ref", "Z3_param_descrs_inc_ref", "Z3_params_inc_ref",
    "Z3_probe_inc_ref", "Z3_solver_inc_ref", "Z3_stats_inc_ref", "Z3_tactic_inc_ref",
};

static release_fn real_release[K_COUNT];
static inc_fn real_inc[K_REFCOUNTED];
static Z3_context (*real_mk_context)(Z3_config);
static Z3_context (*real_mk_context_rc)(Z3_config);
static void (*real_del_context)(Z3_context);
static Z3_error_code (*real_get_error_code)(Z3_context);
static Z3_string (*real_get_error_msg)(Z3_context, Z3_error_code);
static Z3_decl_kind (*real_get_decl_kind)(Z3_context, Z3_func_decl);

static char init_error[512];
static int translate_decl_kinds;

struct release { void *obj; int kind; };

struct context_queue {
    Z3_context ctx;
    struct release *items;
    size_t len, cap;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct context_queue *contexts;
static size_t context_count, context_cap;

/* Counters (read with nv_z3shim_stats); updated under the lock or atomically. */
static uint64_t n_deferred, n_performed, n_dropped, n_failed, n_max_queue, n_contexts_created;
static int passthrough;

/* Set by a deferred Z3_del_constructor(_list): the binding's next error read on this thread must not touch ctx. */
static __thread int skip_next_error_read;

static void *resolve(void *lib, const char *name)
{
    void *f = dlsym(lib, name);
    if (f == NULL && init_error[0] == '\0') {
        snprintf(init_error, sizeof init_error, "libz3.so.4 has no %s", name);
    }
    return f;
}

__attribute__((constructor)) static void shim_init(void)
{
    void *lib = dlopen("libz3.so.4", RTLD_NOW | RTLD_NOLOAD);
    if (lib == NULL) {
        lib = dlopen("libz3.so.4", RTLD_NOW);
    }
    if (lib == NULL) {
        snprintf(init_error, sizeof init_error, "cannot load libz3.so.4: %s", dlerror());
        return;
    }
    for (int k = 0; k < K_COUNT; k++) {
        real_release[k] = (release_fn)resolve(lib, release_names[k]);
    }
    for (int k = 0; k < K_REFCOUNTED; k++) {
        real_inc[k] = (inc_fn)resolve(lib, inc_names[k]);
    }
    real_mk_context = (Z3_context (*)(Z3_config))resolve(lib, "Z3_mk_context");
    real_mk_context_rc = (Z3_context (*)(Z3_config))resolve(lib, "Z3_mk_context_rc");
    real_del_context = (void (*)(Z3_context))resolve(lib, "Z3_del_context");
    real_get_error_code = (Z3_error_code (*)(Z3_context))resolve(lib, "Z3_get_error_code");
    real_get_error_msg = (Z3_string (*)(Z3_context, Z3_error_code))resolve(lib, "Z3_get_error_msg");
    real_get_decl_kind = (Z3_decl_kind (*)(Z3_context, Z3_func_decl))resolve(lib, "Z3_get_decl_kind");

    unsigned major = 0, minor = 0, build = 0, revision = 0;
    Z3_get_version(&major, &minor, &build, &revision);
    translate_decl_kinds = major == Z3_MAJOR_VERSION && minor == Z3_MINOR_VERSION && build == Z3_BUILD_NUMBER;
}

/* Callers hold the lock. */
static struct context_queue *find(Z3_context c)
{
    for (size_t i = 0; i < context_count; i++) {
        if (contexts[i].ctx == c) {
            return &contexts[i];
        }
    }
    return NULL;
}

static void forget(struct context_queue *q)
{
    size_t i = (size_t)(q - contexts);
    contexts[i] = contexts[--context_count];
}

static void defer(int kind, Z3_context c, void *obj)
{
    if (obj == NULL) {
        return;
    }
    if (c == NULL) {
        __atomic_add_fetch(&n_dropped, 1, __ATOMIC_RELAXED);
        return;
    }
    if (__atomic_load_n(&passthrough, __ATOMIC_RELAXED)) {
        /* Test hook only: behave like a plain stub that releases on the calling thread (unsound). */
        real_release[kind](c, obj);
        return;
    }
    pthread_mutex_lock(&lock);
    struct context_queue *q = find(c);
    if (q == NULL) {
        n_dropped++;
    } else {
        if (q->len == q->cap) {
            size_t cap = q->cap ? q->cap * 2 : 256;
            struct release *grown = realloc(q->items, cap * sizeof *grown);
            if (grown == NULL) {
                /* Out of memory: leaking the object is the only safe choice on this thread. */
                n_dropped++;
                pthread_mutex_unlock(&lock);
                return;
            }
            q->items = grown;
            q->cap = cap;
        }
        q->items[q->len].obj = obj;
        q->items[q->len].kind = kind;
        q->len++;
        n_deferred++;
        if (q->len > n_max_queue) {
            n_max_queue = q->len;
        }
    }
    pthread_mutex_unlock(&lock);
}

/* Runs released objects of c on the calling thread, which owns c. */
static void perform(Z3_context c, struct release *items, size_t len)
{
    uint64_t failed = 0;
    for (size_t i = 0; i < len; i++) {
        real_release[items[i].kind](c, items[i].obj);
        if (real_get_error_code(c) != Z3_OK) {
            /* A release the library refuses (e.g. already deleted) must not surface as the caller's error. */
            failed++;
            Z3_set_error(c, Z3_OK);
        }
    }
    free(items);
    pthread_mutex_lock(&lock);
    n_performed += len;
    n_failed += failed;
    pthread_mutex_unlock(&lock);
}

static void drain(Z3_context c)
{
    if (c == NULL || real_get_error_code(c) != Z3_OK) {
        /* Leave a pending error for the caller to read; the queue is drained at the next inc_ref. */
        return;
    }
    pthread_mutex_lock(&lock);
    struct context_queue *q = find(c);
    if (q == NULL || q->len == 0) {
        pthread_mutex_unlock(&lock);
        return;
    }
    struct release *items = q->items;
    size_t len = q->len;
    q->items = NULL;
    q->len = q->cap = 0;
    pthread_mutex_unlock(&lock);
    perform(c, items, len);
}

static void inc_then_drain(int kind, Z3_context c, void *obj)
{
    /* inc_ref first: the object kept may be a hash-consed node whose only other reference is a queued release. */
    real_inc[kind](c, obj);
    drain(c);
}

static Z3_context registered(Z3_context c)
{
    if (c == NULL) {
        return c;
    }
    pthread_mutex_lock(&lock);
    struct context_queue *q = find(c);
    if (q != NULL) {
        /* A dead context's queue at a reused address: its objects died with it. */
        n_dropped += q->len;
        free(q->items);
        q->items = NULL;
        q->len = q->cap = 0;
    } else {
        if (context_count == context_cap) {
            size_t cap = context_cap ? context_cap * 2 : 8;
            struct context_queue *grown = realloc(contexts, cap * sizeof *grown);
            if (grown == NULL) {
                pthread_mutex_unlock(&lock);
                real_del_context(c);
                return NULL;
            }
            contexts = grown;
            context_cap = cap;
        }
        contexts[context_count].ctx = c;
        contexts[context_count].items = NULL;
        contexts[context_count].len = contexts[context_count].cap = 0;
        context_count++;
    }
    n_contexts_created++;
    pthread_mutex_unlock(&lock);
    return c;
}

EXPORT Z3_context Z3_mk_context(Z3_config cfg) { return registered(real_mk_context(cfg)); }

EXPORT Z3_context Z3_mk_context_rc(Z3_config cfg) { return registered(real_mk_context_rc(cfg)); }

EXPORT void Z3_del_context(Z3_context c)
{
    if (c == NULL) {
        return;
    }
    pthread_mutex_lock(&lock);
    struct context_queue *q = find(c);
    struct release *items = NULL;
    size_t len = 0;
    if (q != NULL) {
        items = q->items;
        len = q->len;
        forget(q);
    }
    pthread_mutex_unlock(&lock);
    if (len > 0) {
        Z3_set_error(c, Z3_OK);
        perform(c, items, len);
    } else {
        free(items);
    }
    real_del_context(c);
}

EXPORT void Z3_enable_concurrent_dec_ref(Z3_context c) { (void)c; }

EXPORT Z3_error_code Z3_get_error_code(Z3_context c)
{
    if (skip_next_error_read) {
        skip_next_error_read = 0;
        return Z3_OK;
    }
    if (c == NULL) {
        return Z3_OK;
    }
    return real_get_error_code(c);
}

EXPORT Z3_string Z3_get_error_msg(Z3_context c, Z3_error_code err)
{
    if (c == NULL) {
        return "ok";
    }
    return real_get_error_msg(c, err);
}

/* Releases. */
#define RELEASE(name, kind, type) \
    EXPORT void name(Z3_context c, type o) { defer(kind, c, (void *)o); }
RELEASE(Z3_dec_ref, K_AST, Z3_ast)
RELEASE(Z3_apply_result_dec_ref, K_APPLY_RESULT, Z3_apply_result)
RELEASE(Z3_ast_map_dec_ref, K_AST_MAP, Z3_ast_map)
RELEASE(Z3_ast_vector_dec_ref, K_AST_VECTOR, Z3_ast_vector)
RELEASE(Z3_fixedpoint_dec_ref, K_FIXEDPOINT, Z3_fixedpoint)
RELEASE(Z3_func_entry_dec_ref, K_FUNC_ENTRY, Z3_func_entry)
RELEASE(Z3_func_interp_dec_ref, K_FUNC_INTERP, Z3_func_interp)
RELEASE(Z3_goal_dec_ref, K_GOAL, Z3_goal)
RELEASE(Z3_model_dec_ref, K_MODEL, Z3_model)
RELEASE(Z3_optimize_dec_ref, K_OPTIMIZE, Z3_optimize)
RELEASE(Z3_param_descrs_dec_ref, K_PARAM_DESCRS, Z3_param_descrs)
RELEASE(Z3_params_dec_ref, K_PARAMS, Z3_params)
RELEASE(Z3_probe_dec_ref, K_PROBE, Z3_probe)
RELEASE(Z3_solver_dec_ref, K_SOLVER, Z3_solver)
RELEASE(Z3_stats_dec_ref, K_STATS, Z3_stats)
RELEASE(Z3_tactic_dec_ref, K_TACTIC, Z3_tactic)

EXPORT void Z3_del_constructor(Z3_context c, Z3_constructor o)
{
    defer(K_CONSTRUCTOR, c, (void *)o);
    skip_next_error_read = 1;
}

EXPORT void Z3_del_constructor_list(Z3_context c, Z3_constructor_list o)
{
    defer(K_CONSTRUCTOR_LIST, c, (void *)o);
    skip_next_error_read = 1;
}

/* Drain points. */
#define INC(name, kind, type) \
    EXPORT void name(Z3_context c, type o) { inc_then_drain(kind, c, (void *)o); }
INC(Z3_inc_ref, K_AST, Z3_ast)
INC(Z3_apply_result_inc_ref, K_APPLY_RESULT, Z3_apply_result)
INC(Z3_ast_map_inc_ref, K_AST_MAP, Z3_ast_map)
INC(Z3_ast_vector_inc_ref, K_AST_VECTOR, Z3_ast_vector)
INC(Z3_fixedpoint_inc_ref, K_FIXEDPOINT, Z3_fixedpoint)
INC(Z3_func_entry_inc_ref, K_FUNC_ENTRY, Z3_func_entry)
INC(Z3_func_interp_inc_ref, K_FUNC_INTERP, Z3_func_interp)
INC(Z3_goal_inc_ref, K_GOAL, Z3_goal)
INC(Z3_model_inc_ref, K_MODEL, Z3_model)
INC(Z3_optimize_inc_ref, K_OPTIMIZE, Z3_optimize)
INC(Z3_param_descrs_inc_ref, K_PARAM_DESCRS, Z3_param_descrs)
INC(Z3_params_inc_ref, K_PARAMS, Z3_params)
INC(Z3_probe_inc_ref, K_PROBE, Z3_probe)
INC(Z3_solver_inc_ref, K_SOLVER, Z3_solver)
INC(Z3_stats_inc_ref, K_STATS, Z3_stats)
INC(Z3_tactic_inc_ref, K_TACTIC, Z3_tactic)

/* Z3_decl_kind values renumbered since 4.8.12: header value (whatever version this is built against) -> 4.12.2. */
static const struct { int header; int binding; } decl_kinds[] = {
    { Z3_OP_SEQ_AT, 1562 }, { Z3_OP_SEQ_NTH, 1563 }, { Z3_OP_SEQ_LENGTH, 1564 }, { Z3_OP_SEQ_INDEX, 1565 },
    { Z3_OP_SEQ_LAST_INDEX, 1566 }, { Z3_OP_SEQ_TO_RE, 1567 }, { Z3_OP_SEQ_IN_RE, 1568 },
    { Z3_OP_STR_TO_INT, 1569 }, { Z3_OP_INT_TO_STR, 1570 }, { Z3_OP_STRING_LT, 1575 }, { Z3_OP_STRING_LE, 1576 },
    { Z3_OP_RE_PLUS, 1577 }, { Z3_OP_RE_STAR, 1578 }, { Z3_OP_RE_OPTION, 1579 }, { Z3_OP_RE_CONCAT, 1580 },
    { Z3_OP_RE_UNION, 1581 }, { Z3_OP_RE_RANGE, 1582 }, { Z3_OP_RE_LOOP, 1585 }, { Z3_OP_RE_INTERSECT, 1584 },
    { Z3_OP_RE_COMPLEMENT, 1587 }, { Z3_OP_RE_EMPTY_SET, 1588 }, { Z3_OP_RE_FULL_SET, 1589 },
    { Z3_OP_UNINTERPRETED, 45102 },
};

EXPORT Z3_decl_kind Z3_get_decl_kind(Z3_context c, Z3_func_decl d)
{
    Z3_decl_kind k = real_get_decl_kind(c, d);
    if (translate_decl_kinds) {
        for (size_t i = 0; i < sizeof decl_kinds / sizeof decl_kinds[0]; i++) {
            if ((int)k == decl_kinds[i].header) {
                return (Z3_decl_kind)decl_kinds[i].binding;
            }
        }
    }
    return k;
}

EXPORT void Z3_solver_propagate_init(Z3_context c, Z3_solver s, void *user, Z3_push_eh push, Z3_pop_eh pop,
                                     Z3_fresh_eh fresh)
{
    (void)s; (void)user; (void)push; (void)pop; (void)fresh;
    /* The callback ABI of the 4.12.2 binding differs from this library's: refuse rather than crash later. */
    Z3_set_error(c, Z3_INVALID_USAGE);
}

/* Diagnostics for NatVerify.Smt. */

/* NULL when the shim is usable, else why not. */
EXPORT const char *nv_z3shim_status(void) { return init_error[0] ? init_error : NULL; }

/* out[0..6]: deferred, performed, dropped, failed, max queue length, contexts created, live contexts. */
EXPORT void nv_z3shim_stats(uint64_t *out)
{
    pthread_mutex_lock(&lock);
    out[0] = n_deferred;
    out[1] = n_performed;
    out[2] = __atomic_load_n(&n_dropped, __ATOMIC_RELAXED);
    out[3] = n_failed;
    out[4] = n_max_queue;
    out[5] = n_contexts_created;
    out[6] = context_count;
    pthread_mutex_unlock(&lock);
}

/* Test hook for the stress test's negative control: releases run at once on the calling thread, as a plain stub
 * would do. Unsound by design; nothing but that test may turn it on. */
EXPORT void nv_z3shim_set_passthrough(int on) { __atomic_store_n(&passthrough, on, __ATOMIC_RELAXED); }
