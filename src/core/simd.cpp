#include "core/simd.h"

#include <atomic>
#include <cstdlib>

namespace mppmc {

namespace {

bool cpu_has_avx2() {
#if defined(__x86_64__) || defined(__i386__)
  const char* portable = std::getenv("MPPMC_PORTABLE");
  return (portable == nullptr || *portable == '\0') && __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

std::atomic<bool> allowed{true};

}  // namespace

bool use_avx2() {
  static const bool has = cpu_has_avx2();
  return has && allowed.load(std::memory_order_relaxed);
}

void allow_avx2(bool allowed_now) {
  allowed.store(allowed_now, std::memory_order_relaxed);
}

}  // namespace mppmc
