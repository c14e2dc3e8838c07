// Node-API entry points of the native kernels (1×1 convolutions, grouped and dense convolutions). They read and write tfjs-backend-wasm's heap in
// place: the caller passes a Float32Array over the wasm memory (shared or not) and float offsets
// into it, as the wasm kernels take byte offsets.
#include <node_api.h>

#include <memory>
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

void RunTask(const void* context, int task) { pointwise_task(*static_cast<const PointwiseCall*>(context), task); }

// pointwise(heap, packed, x, bias, residual, y, relu, threads, batch, inH, inW, inC, outH, outW, outC, strideH, strideW):
// offsets in floats; bias and residual -1 when absent.
napi_value Pointwise(napi_env env, napi_callback_info info) {
  constexpr size_t kArgs = 17;
  size_t argc = kArgs;
  napi_value argv[kArgs];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *heap = nullptr, *packed = nullptr;
  size_t heap_len = 0, packed_len = 0;
  double v[kArgs - 2];
  if (throw_if(env, argc != kArgs || !float_array(env, argv[0], &heap, &heap_len) || !float_array(env, argv[1], &packed, &packed_len) ||
                        !int_args(env, argv, 2, kArgs - 2, v),
               "pointwise: bad arguments")) {
    return nullptr;
  }
  const double x = v[0], bias = v[1], residual = v[2], y = v[3];
  const bool relu = v[4] != 0;
  const int threads = static_cast<int>(v[5]);
  PointwiseShape s{static_cast<int>(v[6]), static_cast<int>(v[7]),  static_cast<int>(v[8]),  static_cast<int>(v[9]),
                   static_cast<int>(v[10]), static_cast<int>(v[11]), static_cast<int>(v[12]), static_cast<int>(v[13]),
                   static_cast<int>(v[14])};
  const double in_floats = static_cast<double>(s.batch) * s.in_h * s.in_w * s.in_c;
  const double out_floats = static_cast<double>(s.batch) * s.out_h * s.out_w * s.out_c;
  const double n = static_cast<double>(heap_len);
  const bool shape_ok = s.batch > 0 && s.in_c > 0 && s.out_c > 0 && s.out_h > 0 && s.out_w > 0 && s.stride_h > 0 && s.stride_w > 0 &&
                        (s.out_h - 1) * s.stride_h < s.in_h && (s.out_w - 1) * s.stride_w < s.in_w;
  const bool bounds_ok = x >= 0 && x + in_floats <= n && y >= 0 && y + out_floats <= n && (bias < 0 || bias + s.out_c <= n) &&
                         (residual < 0 || residual + out_floats <= n) && packed_len >= pointwise_packed_floats(s.in_c, s.out_c);
  if (throw_if(env, !shape_ok || !bounds_ok, "pointwise: shape or offsets out of bounds")) return nullptr;
  if (throw_if(env, !cpu_supports_avx2_fma(), "pointwise: this CPU lacks AVX2 or FMA")) return nullptr;
  const PointwiseCall call{s,
                           heap + static_cast<size_t>(x),
                           packed,
                           bias < 0 ? nullptr : heap + static_cast<size_t>(bias),
                           residual < 0 ? nullptr : heap + static_cast<size_t>(residual),
                           heap + static_cast<size_t>(y),
                           relu};
  TaskPool* pool = pool_for(env, threads);
  if (pool == nullptr) return nullptr;
  pool->run(pointwise_tasks(s), RunTask, &call);
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

// groupConv(heap, packed, x, bias, residual, y, relu, threads, batch, inH, inW, inC, filterH, filterW,
//           outH, outW, outC, groups, strideH, strideW, padTop, padLeft): offsets in floats; bias
// and residual -1 when absent; `packed` from groupConvPack.
napi_value GroupConv(napi_env env, napi_callback_info info) {
  constexpr size_t kArgs = 22;
  size_t argc = kArgs;
  napi_value argv[kArgs];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *heap = nullptr, *packed = nullptr;
  size_t heap_len = 0, packed_len = 0;
  double v[kArgs - 2];
  if (throw_if(env, argc != kArgs || !float_array(env, argv[0], &heap, &heap_len) || !float_array(env, argv[1], &packed, &packed_len) ||
                        !int_args(env, argv, 2, kArgs - 2, v),
               "groupConv: bad arguments")) {
    return nullptr;
  }
  const double x = v[0], bias = v[1], residual = v[2], y = v[3];
  const bool relu = v[4] != 0;
  const int threads = static_cast<int>(v[5]);
  const auto i = [&](int k) { return static_cast<int>(v[k]); };
  GroupConvShape s{i(6), i(7), i(8), i(9), i(10), i(11), i(12), i(13), i(14), i(15), i(16), i(17), i(18), i(19)};
  const bool shape_ok = s.batch > 0 && s.in_h > 0 && s.in_w > 0 && s.in_c > 0 && s.filter_h > 0 && s.filter_w > 0 && s.out_h > 0 &&
                        s.out_w > 0 && s.out_c > 0 && s.stride_h > 0 && s.stride_w > 0 && s.pad_top >= 0 && s.pad_left >= 0 &&
                        group_conv_fits(s);
  if (throw_if(env, !shape_ok, "groupConv: unsupported shape")) return nullptr;
  const double n = static_cast<double>(heap_len);
  const double in_floats = static_cast<double>(s.batch) * s.in_h * s.in_w * s.in_c;
  const double out_floats = static_cast<double>(s.batch) * s.out_h * s.out_w * s.out_c;
  const bool bounds_ok = x >= 0 && x + in_floats <= n && y >= 0 && y + out_floats <= n && (bias < 0 || bias + s.out_c <= n) &&
                         (residual < 0 || residual + out_floats <= n) && packed_len >= group_conv_packed_floats(s);
  if (throw_if(env, !bounds_ok, "groupConv: offsets out of bounds")) return nullptr;
  if (throw_if(env, !cpu_supports_avx2_fma(), "groupConv: this CPU lacks AVX2 or FMA")) return nullptr;
  const std::vector<float> zeros(static_cast<size_t>(s.in_c) + 8, 0.0f);
  const GroupConvCall call{s,
                           heap + static_cast<size_t>(x),
                           packed,
                           bias < 0 ? nullptr : heap + static_cast<size_t>(bias),
                           residual < 0 ? nullptr : heap + static_cast<size_t>(residual),
                           heap + static_cast<size_t>(y),
                           zeros.data(),
                           relu};
  TaskPool* pool = pool_for(env, threads);
  if (pool == nullptr) return nullptr;
  pool->run(group_conv_tasks(s), RunGroupConvTask, &call);
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
