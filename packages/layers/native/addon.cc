// Node-API entry points of the native kernels (1×1 and grouped convolutions). They read and write
// tfjs-backend-wasm's heap in place: the caller passes a Float32Array over the wasm memory (shared
// or not), float offsets into it (the wasm kernels take byte offsets) and the wasm kernels' 16
// geometry numbers.
#include <node_api.h>

#include <memory>
#include <string>
#include <vector>

#include "group_conv.h"
#include "pointwise_gemm.h"
#include "task_pool.h"

namespace resnext {
namespace {

// Per JavaScript thread (Node-API environment): the main thread and each worker_thread that loads
// the addon get their own pool, so calls from two threads never share one job slot.
struct Instance {
  std::unique_ptr<TaskPool> pool;
};

void DeleteInstance(napi_env, void* data, void*) { delete static_cast<Instance*>(data); }

// This environment's pool with `threads` threads (made or remade on demand), or null with an
// exception pending.
TaskPool* pool_for(napi_env env, int threads) {
  const int wanted = threads < 1 ? 1 : threads;
  Instance* instance = nullptr;
  napi_get_instance_data(env, reinterpret_cast<void**>(&instance));
  if (instance == nullptr) {
    napi_throw_error(env, "RESNEXT_NATIVE", "the addon was not initialized");
    return nullptr;
  }
  if (!instance->pool || instance->pool->threads() != wanted) instance->pool = std::make_unique<TaskPool>(wanted - 1);
  return instance->pool.get();
}

bool throw_if(napi_env env, bool failed, const char* message) {
  if (failed) napi_throw_error(env, "RESNEXT_NATIVE", message);
  return failed;
}

bool float_array(napi_env env, napi_value value, float** data, size_t* length) {
  napi_typedarray_type type;
  void* raw = nullptr;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, nullptr, nullptr) != napi_ok || type != napi_float32_array) return false;
  *data = static_cast<float*>(raw);
  return true;
}

bool int_args(napi_env env, napi_value* argv, int from, int count, double* out) {
  for (int i = 0; i < count; i++) {
    if (napi_get_value_double(env, argv[from + i], &out[i]) != napi_ok) return false;
  }
  return true;
}

// supported(): whether this CPU runs the kernels (AVX2 and FMA).
napi_value Supported(napi_env env, napi_callback_info) {
  napi_value result;
  napi_get_boolean(env, cpu_supports_avx2_fma(), &result);
  return result;
}

// packedFloats(inC, outC): the length of a packed filter.
napi_value PackedFloats(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  double v[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (throw_if(env, argc != 2 || !int_args(env, argv, 0, 2, v), "packedFloats(inC, outC): two numbers expected")) return nullptr;
  napi_value result;
  napi_create_double(env, static_cast<double>(pointwise_packed_floats(static_cast<int>(v[0]), static_cast<int>(v[1]))), &result);
  return result;
}

// pack(heap, filterOffset, packed, inC, outC): packs the [inC x outC] filter at heap[filterOffset].
napi_value Pack(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *heap = nullptr, *packed = nullptr;
  size_t heap_len = 0, packed_len = 0;
  double v[2], offset = 0;
  if (throw_if(env, argc != 5 || !float_array(env, argv[0], &heap, &heap_len) || !float_array(env, argv[2], &packed, &packed_len) ||
                        napi_get_value_double(env, argv[1], &offset) != napi_ok || !int_args(env, argv, 3, 2, v),
               "pack(heap, filterOffset, packed, inC, outC): bad arguments")) {
    return nullptr;
  }
  const int in_c = static_cast<int>(v[0]), out_c = static_cast<int>(v[1]);
  const double filter_floats = static_cast<double>(in_c) * out_c;
  if (throw_if(env, offset < 0 || offset + filter_floats > static_cast<double>(heap_len) || packed_len < pointwise_packed_floats(in_c, out_c),
               "pack: the filter or the packed array is out of bounds")) {
    return nullptr;
  }
  pointwise_pack(heap + static_cast<size_t>(offset), packed, in_c, out_c);
  return nullptr;
}

// The arguments pointwise() and groupConv() share: (heap, packed, x, bias, residual, y, relu,
// threads, ...geometry), offsets in floats (bias and residual -1 when absent), then the 16 numbers of
// the wasm kernels' geometry (geometryNumbers in src/ops/conv_geometry.ts): batch, inH, inW, inC,
// filterH, filterW, outC, groups, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW.
struct ConvArgs {
  float* heap = nullptr;
  size_t heap_len = 0;
  float* packed = nullptr;
  size_t packed_len = 0;
  double x = 0, bias = 0, residual = 0, y = 0;
  bool relu = false;
  int threads = 1;
  GroupConvShape shape{};
};

// Reads and checks the shared arguments: a shape with positive sizes, dilation 1, and x, y, bias and
// residual inside the heap. Returns false with an exception pending otherwise: "<name>: bad
// arguments", `shape_error`, `bounds_error` or "<name>: this CPU lacks AVX2 or FMA".
bool conv_args(napi_env env, napi_callback_info info, const char* name, const char* shape_error, const char* bounds_error, ConvArgs* a) {
  constexpr size_t kArgs = 24;
  size_t argc = kArgs;
  napi_value argv[kArgs];
  double v[kArgs - 2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  const std::string prefix = std::string(name) + ": ";
  if (throw_if(env, argc != kArgs || !float_array(env, argv[0], &a->heap, &a->heap_len) || !float_array(env, argv[1], &a->packed, &a->packed_len) ||
                        !int_args(env, argv, 2, kArgs - 2, v),
               (prefix + "bad arguments").c_str())) {
    return false;
  }
  a->x = v[0], a->bias = v[1], a->residual = v[2], a->y = v[3];
  a->relu = v[4] != 0;
  a->threads = static_cast<int>(v[5]);
  const auto i = [&](int k) { return static_cast<int>(v[6 + k]); };
  GroupConvShape& s = a->shape;
  s = GroupConvShape{i(0), i(1), i(2), i(3), i(4), i(5), i(14), i(15), i(6), i(7), i(8), i(9), i(12), i(13)};
  const bool shape_ok = s.batch > 0 && s.in_h > 0 && s.in_w > 0 && s.in_c > 0 && s.filter_h > 0 && s.filter_w > 0 && s.out_h > 0 &&
                        s.out_w > 0 && s.out_c > 0 && s.groups > 0 && s.stride_h > 0 && s.stride_w > 0 && s.pad_top >= 0 &&
                        s.pad_left >= 0 && i(10) == 1 && i(11) == 1;
  if (throw_if(env, !shape_ok, shape_error)) return false;
  const double n = static_cast<double>(a->heap_len);
  const double in_floats = static_cast<double>(s.batch) * s.in_h * s.in_w * s.in_c;
  const double out_floats = static_cast<double>(s.batch) * s.out_h * s.out_w * s.out_c;
  const bool bounds_ok = a->x >= 0 && a->x + in_floats <= n && a->y >= 0 && a->y + out_floats <= n &&
                         (a->bias < 0 || a->bias + s.out_c <= n) && (a->residual < 0 || a->residual + out_floats <= n);
  return !throw_if(env, !bounds_ok, bounds_error) &&
         !throw_if(env, !cpu_supports_avx2_fma(), (prefix + "this CPU lacks AVX2 or FMA").c_str());
}

// heap + offset, or null for an absent (-1) input.
const float* at(const ConvArgs& a, double offset) { return offset < 0 ? nullptr : a.heap + static_cast<size_t>(offset); }

// Runs `tasks` tasks of `fn` on `context` on this environment's pool of `threads` threads.
void run_on_pool(napi_env env, int threads, int tasks, TaskPool::TaskFn fn, const void* context) {
  TaskPool* pool = pool_for(env, threads);
  if (pool != nullptr) pool->run(tasks, fn, context);
}

void RunPointwiseTask(const void* context, int task) { pointwise_task(*static_cast<const PointwiseCall*>(context), task); }

// pointwise(heap, packed, x, bias, residual, y, relu, threads, ...geometry) (see ConvArgs): an
// unpadded 1×1 convolution of one group; `packed` from pack().
napi_value Pointwise(napi_env env, napi_callback_info info) {
  constexpr const char* kOutside = "pointwise: shape or offsets out of bounds";
  ConvArgs a;
  if (!conv_args(env, info, "pointwise", kOutside, kOutside, &a)) return nullptr;
  const GroupConvShape& g = a.shape;
  const PointwiseShape s{g.batch, g.in_h, g.in_w, g.in_c, g.out_h, g.out_w, g.out_c, g.stride_h, g.stride_w};
  const bool fits = g.filter_h == 1 && g.filter_w == 1 && g.groups == 1 && g.pad_top == 0 && g.pad_left == 0 &&
                    (s.out_h - 1) * s.stride_h < s.in_h && (s.out_w - 1) * s.stride_w < s.in_w;
  if (throw_if(env, !fits || a.packed_len < pointwise_packed_floats(s.in_c, s.out_c), kOutside)) return nullptr;
  const PointwiseCall call{s, at(a, a.x), a.packed, at(a, a.bias), at(a, a.residual), a.heap + static_cast<size_t>(a.y), a.relu};
  run_on_pool(env, a.threads, pointwise_tasks(s), RunPointwiseTask, &call);
  return nullptr;
}

// groupConvPack(heap, filterOffset, packed, filterH, filterW, inPerGroup, outC): packs the filter at
// heap[filterOffset] (tfjs' [fh, fw, in / groups, out] layout) into `packed` (as many floats).
napi_value GroupConvPack(napi_env env, napi_callback_info info) {
  constexpr size_t kArgs = 7;
  size_t argc = kArgs;
  napi_value argv[kArgs];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *heap = nullptr, *packed = nullptr;
  size_t heap_len = 0, packed_len = 0;
  double v[5];
  if (throw_if(env, argc != kArgs || !float_array(env, argv[0], &heap, &heap_len) || !float_array(env, argv[2], &packed, &packed_len) ||
                        napi_get_value_double(env, argv[1], &v[0]) != napi_ok || !int_args(env, argv, 3, 4, v + 1),
               "groupConvPack(heap, filterOffset, packed, filterH, filterW, inPerGroup, outC): bad arguments")) {
    return nullptr;
  }
  GroupConvShape s{};
  s.filter_h = static_cast<int>(v[1]);
  s.filter_w = static_cast<int>(v[2]);
  s.in_c = static_cast<int>(v[3]);
  s.out_c = static_cast<int>(v[4]);
  s.groups = 1;
  const bool ok = s.filter_h > 0 && s.filter_w > 0 && s.in_c > 0 && s.out_c > 0 && s.out_c % 8 == 0;
  const double floats = static_cast<double>(group_conv_packed_floats(s));
  if (throw_if(env, !ok || v[0] < 0 || v[0] + floats > static_cast<double>(heap_len) || static_cast<double>(packed_len) < floats,
               "groupConvPack: shape unsupported or out of bounds")) {
    return nullptr;
  }
  group_conv_pack(s, heap + static_cast<size_t>(v[0]), packed);
  return nullptr;
}

void RunGroupConvTask(const void* context, int task) { group_conv_task(*static_cast<const GroupConvCall*>(context), task); }

// groupConv(heap, packed, x, bias, residual, y, relu, threads, ...geometry) (see ConvArgs); `packed`
// from groupConvPack().
napi_value GroupConv(napi_env env, napi_callback_info info) {
  ConvArgs a;
  if (!conv_args(env, info, "groupConv", "groupConv: unsupported shape", "groupConv: offsets out of bounds", &a)) return nullptr;
  const GroupConvShape& s = a.shape;
  if (throw_if(env, !group_conv_fits(s), "groupConv: unsupported shape")) return nullptr;
  if (throw_if(env, a.packed_len < group_conv_packed_floats(s), "groupConv: offsets out of bounds")) return nullptr;
  const std::vector<float> zeros(static_cast<size_t>(s.in_c) + 8, 0.0f);
  const GroupConvCall call{s, at(a, a.x), a.packed, at(a, a.bias), at(a, a.residual), a.heap + static_cast<size_t>(a.y), zeros.data(), a.relu};
  run_on_pool(env, a.threads, group_conv_tasks(s), RunGroupConvTask, &call);
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"supported", nullptr, Supported, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"packedFloats", nullptr, PackedFloats, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pack", nullptr, Pack, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pointwise", nullptr, Pointwise, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"groupConvPack", nullptr, GroupConvPack, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"groupConv", nullptr, GroupConv, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  napi_set_instance_data(env, new Instance(), DeleteInstance, nullptr);
  return exports;
}

}  // namespace
}  // namespace resnext

NAPI_MODULE_INIT() { return resnext::Init(env, exports); }
