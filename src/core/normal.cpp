#include "core/normal.h"

#include <cstring>

#include "core/simd.h"

namespace mppmc {

namespace {

void normal_quantiles_portable(double* values, int n) {
  for (int i = 0; i < n; ++i) values[i] = normal_quantile(values[i]);
}

typedef double Doubles4 __attribute__((vector_size(32)));

// The central range of normal_quantile on four values at once: the same operations in the
// same order as its scalar `q * ratio(a, b, 0.180625 - q * q)`.
[[gnu::always_inline, gnu::target("avx2")]] inline Doubles4 central(Doubles4 q) {
  const Doubles4 x = 0.180625 - q * q;
  Doubles4 p = Doubles4{} + as241::a[7], r = Doubles4{} + as241::b[7];
  for (int k = 6; k >= 0; --k) {
    p = p * x + as241::a[k];
    r = r * x + as241::b[k];
  }
  return q * (p / r);
}

[[gnu::target("avx2")]] void normal_quantiles_avx2(double* values, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    Doubles4 u;
    std::memcpy(&u, values + i, sizeof u);
    const Doubles4 z = central(u - 0.5);
    for (int l = 0; l < 4; ++l)  // a tail value (15% of them) takes the scalar path
      values[i + l] = std::fabs(u[l] - 0.5) <= 0.425 ? z[l] : normal_quantile(u[l]);
  }
  normal_quantiles_portable(values + i, n - i);
}

}  // namespace

void normal_quantiles(double* values, int n) {
  if (use_avx2())
    normal_quantiles_avx2(values, n);
  else
    normal_quantiles_portable(values, n);
}

}  // namespace mppmc
