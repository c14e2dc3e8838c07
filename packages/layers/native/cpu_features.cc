// Built without -mavx2: safe to call on any x86-64 CPU.
#include "pointwise_gemm.h"

namespace resnext {

bool cpu_supports_avx2_fma() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

}  // namespace resnext
