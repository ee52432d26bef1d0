/*
 * The Node-API face of the native kernels: argument unpacking and dispatch
 * to the instruction set's table (kernels.h), nothing else. Plain C against
 * node_api.h, no node-addon-api, so the build needs a C compiler and the
 * headers of the running Node only.
 *
 * Exports `isas` (what this CPU runs, best first), `why` (when that is
 * none) and `create(isa)`, which returns the kernel functions bound to a
 * context of their own: the packing scratch sgemm works in. Each thread
 * creates its own; the arrays the kernels read and write are the caller's
 * (typed arrays over a SharedArrayBuffer, e.g. the wasm arena, used in
 * place: Hogwild threads share one parameter buffer with no copies).
 *
 * The TypeScript side (native-kernels.ts) has checked every bound before
 * a call reaches here; this file checks only that arguments have the types
 * the C code relies on (a float32 array is one), and throws a TypeError if
 * not.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernels.h"

struct context {
  const struct lstmp_isa *isa;
  float *packA, *packB;
};

#define MAX_ARGS 16

/* Unpacked arguments of one call: the context and up to MAX_ARGS values. */
struct call {
  napi_env env;
  struct context *ctx;
  size_t argc;
  napi_value argv[MAX_ARGS];
  int failed;
};

static void fail(struct call *c, size_t index, const char *what) {
  if (c->failed) return;
  c->failed = 1;
  char message[96];
  snprintf(message, sizeof message, "lstmp native kernels: argument %zu is not %s", index, what);
  napi_throw_type_error(c->env, NULL, message);
}

static int unpack(napi_env env, napi_callback_info info, struct call *c, size_t expected) {
  void *data;
  c->env = env;
  c->failed = 0;
  c->argc = MAX_ARGS;
  if (napi_get_cb_info(env, info, &c->argc, c->argv, NULL, &data) != napi_ok) return 0;
  c->ctx = data;
  if (c->argc < expected) {
    napi_throw_type_error(env, NULL, "lstmp native kernels: too few arguments");
    return 0;
  }
  return 1;
}

static float *floats(struct call *c, size_t i, size_t *length) {
  napi_typedarray_type type;
  size_t n = 0;
  void *data = NULL;
  if (napi_get_typedarray_info(c->env, c->argv[i], &type, &n, &data, NULL, NULL) != napi_ok || type != napi_float32_array) {
    fail(c, i, "a Float32Array");
    return NULL;
  }
  if (length) *length = n;
  return data;
}

/* A Float32Array, or null (NULL with *isNull set). */
static float *floats_or_null(struct call *c, size_t i, int *isNull) {
  napi_valuetype t;
  napi_typeof(c->env, c->argv[i], &t);
  *isNull = t == napi_null || t == napi_undefined;
  return *isNull ? NULL : floats(c, i, NULL);
}

static const int32_t *int32s(struct call *c, size_t i) {
  napi_typedarray_type type;
  size_t n;
  void *data = NULL;
  if (napi_get_typedarray_info(c->env, c->argv[i], &type, &n, &data, NULL, NULL) != napi_ok || type != napi_int32_array) {
    fail(c, i, "an Int32Array");
    return NULL;
  }
  return data;
}

static int64_t integer(struct call *c, size_t i) {
  int64_t v = 0;
  if (napi_get_value_int64(c->env, c->argv[i], &v) != napi_ok) fail(c, i, "a number");
  return v;
}

static double number(struct call *c, size_t i) {
  double v = 0;
  if (napi_get_value_double(c->env, c->argv[i], &v) != napi_ok) fail(c, i, "a number");
  return v;
}

static int boolean(struct call *c, size_t i) {
  bool v = false;
  if (napi_get_value_bool(c->env, c->argv[i], &v) != napi_ok) fail(c, i, "a boolean");
  return v;
}

/* sgemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc) */
static napi_value sgemm(napi_env env, napi_callback_info info) {
  struct call c;
  if (!unpack(env, info, &c, 16)) return NULL;
  int transA = boolean(&c, 0), transB = boolean(&c, 1);
  int64_t m = integer(&c, 2), n = integer(&c, 3), k = integer(&c, 4);
  double alpha = number(&c, 5), beta = number(&c, 12);
  float *a = floats(&c, 6, NULL), *b = floats(&c, 9, NULL), *out = floats(&c, 13, NULL);
  int64_t offA = integer(&c, 7), lda = integer(&c, 8), offB = integer(&c, 10), ldb = integer(&c, 11), offC = integer(&c, 14), ldc = integer(&c, 15);
  if (c.failed) return NULL;
  c.ctx->isa->sgemm(transA, transB, m, n, k, (float)alpha, a + offA, lda, b + offB, ldb, (float)beta, out + offC, ldc, c.ctx->packA, c.ctx->packB);
  return NULL;
}

/* cellForward(C, rows, cellClip, peephole, gates, gatesAt, c, prevAt, curAt, hc, clipped, m, outAt) */
static napi_value cell_forward(napi_env env, napi_callback_info info) {
  struct call c;
  int noPeephole;
  if (!unpack(env, info, &c, 13)) return NULL;
  int64_t C = integer(&c, 0), rows = integer(&c, 1), gatesAt = integer(&c, 5), prevAt = integer(&c, 7), curAt = integer(&c, 8), outAt = integer(&c, 12);
  double clip = number(&c, 2);
  float *peephole = floats_or_null(&c, 3, &noPeephole);
  float *gates = floats(&c, 4, NULL), *cells = floats(&c, 6, NULL), *hc = floats(&c, 9, NULL), *clipped = floats(&c, 10, NULL), *m = floats(&c, 11, NULL);
  if (c.failed) return NULL;
  c.ctx->isa->cellForward(C, rows, (float)clip, peephole, gates + gatesAt, cells + prevAt, cells + curAt, hc + outAt, clipped + outAt, m + outAt);
  return NULL;
}

/* cellBackward(C, rows, peephole, dPeephole, gates, gatesAt, hc, clipped, outAt, c, prevAt, curAt, dm, dmAt, dc, dGates) */
static napi_value cell_backward(napi_env env, napi_callback_info info) {
  struct call c;
  int noPeephole, noGradient;
  if (!unpack(env, info, &c, 16)) return NULL;
  int64_t C = integer(&c, 0), rows = integer(&c, 1), gatesAt = integer(&c, 5), outAt = integer(&c, 8), prevAt = integer(&c, 10), curAt = integer(&c, 11), dmAt = integer(&c, 13);
  float *peephole = floats_or_null(&c, 2, &noPeephole), *dPeephole = floats_or_null(&c, 3, &noGradient);
  float *gates = floats(&c, 4, NULL), *hc = floats(&c, 6, NULL), *clipped = floats(&c, 7, NULL), *cells = floats(&c, 9, NULL), *dm = floats(&c, 12, NULL), *dc = floats(&c, 14, NULL), *dGates = floats(&c, 15, NULL);
  if (c.failed) return NULL;
  if (noPeephole != noGradient) {
    napi_throw_range_error(env, NULL, "lstm cell step: peepholes and their gradient go together");
    return NULL;
  }
  c.ctx->isa->cellBackward(C, rows, peephole, dPeephole, gates + gatesAt, hc + outAt, clipped + outAt, cells + prevAt, cells + curAt, dm + dmAt, dc, dGates + gatesAt);
  return NULL;
}

/* logSoftmaxRows(x, rows, cols) */
static napi_value log_softmax_rows(napi_env env, napi_callback_info info) {
  struct call c;
  if (!unpack(env, info, &c, 3)) return NULL;
  float *x = floats(&c, 0, NULL);
  int64_t rows = integer(&c, 1), cols = integer(&c, 2);
  if (c.failed) return NULL;
  c.ctx->isa->logSoftmaxRows(x, rows, cols);
  return NULL;
}

/* argmaxRows(x, rows, cols, out) */
static napi_value argmax_rows(napi_env env, napi_callback_info info) {
  struct call c;
  if (!unpack(env, info, &c, 4)) return NULL;
  const float *x = floats(&c, 0, NULL);
  int32_t *out = (int32_t *)int32s(&c, 3);
  int64_t rows = integer(&c, 1), cols = integer(&c, 2);
  if (c.failed) return NULL;
  c.ctx->isa->argmaxRows(x, rows, cols, out);
  return NULL;
}

/* crossEntropyGradient(logp, targets, mask, rows, cols, dLogits): the gradient only; the loss is summed in TypeScript. */
static napi_value cross_entropy_gradient(napi_env env, napi_callback_info info) {
  struct call c;
  size_t length = 0;
  if (!unpack(env, info, &c, 6)) return NULL;
  float *logp = floats(&c, 0, NULL), *mask = floats(&c, 2, NULL), *d = floats(&c, 5, &length);
  const int32_t *targets = int32s(&c, 1);
  int64_t rows = integer(&c, 3), cols = integer(&c, 4);
  if (c.failed) return NULL;
  c.ctx->isa->crossEntropyGradient(logp, targets, mask, rows, cols, d, (lstmp_idx)length);
  return NULL;
}

/* sgdStep(params, velocity, gradient, offset, length, rate, momentum, clip) */
static napi_value sgd_step(napi_env env, napi_callback_info info) {
  struct call c;
  int noVelocity;
  if (!unpack(env, info, &c, 8)) return NULL;
  float *p = floats(&c, 0, NULL), *v = floats_or_null(&c, 1, &noVelocity), *g = floats(&c, 2, NULL);
  int64_t offset = integer(&c, 3), length = integer(&c, 4);
  double rate = number(&c, 5), momentum = number(&c, 6), clip = number(&c, 7);
  if (c.failed) return NULL;
  c.ctx->isa->sgd(p + offset, v ? v + offset : NULL, g + offset, length, (float)rate, (float)momentum, (float)clip);
  return NULL;
}

/* allFinite(x) */
static napi_value all_finite(napi_env env, napi_callback_info info) {
  struct call c;
  size_t n = 0;
  napi_value result;
  if (!unpack(env, info, &c, 1)) return NULL;
  float *x = floats(&c, 0, &n);
  if (c.failed) return NULL;
  napi_get_boolean(env, c.ctx->isa->allFinite(x, (lstmp_idx)n), &result);
  return result;
}

/* fmaLoop(iterations): the peak loop (peak.h), timed by the caller. */
static napi_value fma_loop(napi_env env, napi_callback_info info) {
  struct call c;
  napi_value result;
  if (!unpack(env, info, &c, 1)) return NULL;
  int64_t iterations = integer(&c, 0);
  if (c.failed) return NULL;
  napi_create_double(env, c.ctx->isa->fmaLoop((long)iterations), &result);
  return result;
}

static void release_context(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  struct context *ctx = data;
  free(ctx->packA);
  free(ctx->packB);
  free(ctx);
}

static float *scratch(size_t floats) {
  size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
  return aligned_alloc(64, bytes ? bytes : 64);
}

static int set_function(napi_env env, napi_value object, const char *name, napi_callback f, void *data) {
  napi_value fn;
  return napi_create_function(env, name, NAPI_AUTO_LENGTH, f, data, &fn) == napi_ok && napi_set_named_property(env, object, name, fn) == napi_ok;
}

/* create(isa): the kernels bound to a new context for `isa`, one of `isas`. */
static napi_value create(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result, value;
  char name[32] = "";
  size_t length;
  const struct lstmp_isa *isas[4];
  const char *why;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &length) != napi_ok) {
    napi_throw_type_error(env, NULL, "lstmp native kernels: create(isa) takes the name of an instruction set");
    return NULL;
  }
  int count = lstmp_supported_isas(isas, 4, &why);
  const struct lstmp_isa *isa = NULL;
  for (int i = 0; i < count; i++)
    if (strcmp(isas[i]->name, name) == 0) isa = isas[i];
  if (!isa) {
    napi_throw_range_error(env, NULL, "lstmp native kernels: this CPU does not run that instruction set");
    return NULL;
  }
  struct context *ctx = calloc(1, sizeof *ctx);
  if (!ctx) {
    napi_throw_error(env, NULL, "lstmp native kernels: out of memory");
    return NULL;
  }
  ctx->isa = isa;
  ctx->packA = scratch(isa->packAFloats);
  ctx->packB = scratch(isa->packBFloats);
  if (!ctx->packA || !ctx->packB || napi_create_object(env, &result) != napi_ok) {
    release_context(env, ctx, NULL);
    napi_throw_error(env, NULL, "lstmp native kernels: out of memory");
    return NULL;
  }
  if (napi_add_finalizer(env, result, ctx, release_context, NULL, NULL) != napi_ok) {
    release_context(env, ctx, NULL);
    return NULL;
  }
  int ok = set_function(env, result, "sgemm", sgemm, ctx) && set_function(env, result, "cellForward", cell_forward, ctx) &&
           set_function(env, result, "cellBackward", cell_backward, ctx) && set_function(env, result, "logSoftmaxRows", log_softmax_rows, ctx) &&
           set_function(env, result, "argmaxRows", argmax_rows, ctx) &&
           set_function(env, result, "crossEntropyGradient", cross_entropy_gradient, ctx) && set_function(env, result, "sgdStep", sgd_step, ctx) &&
           set_function(env, result, "allFinite", all_finite, ctx) && set_function(env, result, "fmaLoop", fma_loop, ctx);
  if (!ok) return NULL;
  napi_create_string_utf8(env, isa->name, NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, result, "isa", value);
  napi_create_int64(env, isa->fmaFlopsPerIteration, &value);
  napi_set_named_property(env, result, "fmaFlopsPerIteration", value);
  return result;
}

NAPI_MODULE_INIT() {
  const struct lstmp_isa *isas[4];
  const char *why;
  int count = lstmp_supported_isas(isas, 4, &why);
  napi_value list, value;
  napi_create_array_with_length(env, (size_t)count, &list);
  for (int i = 0; i < count; i++) {
    napi_create_string_utf8(env, isas[i]->name, NAPI_AUTO_LENGTH, &value);
    napi_set_element(env, list, (uint32_t)i, value);
  }
  napi_set_named_property(env, exports, "isas", list);
  if (why) {
    napi_create_string_utf8(env, why, NAPI_AUTO_LENGTH, &value);
    napi_set_named_property(env, exports, "why", value);
  }
  set_function(env, exports, "create", create, NULL);
  return exports;
}
