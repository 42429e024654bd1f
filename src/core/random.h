#pragma once
// Every random number in mppmc is a pure function of its address (docs/design.md, principle 2):
//
//   value = Philox4x32-10(counter = {path, stream, item, period}, key = seed)
//
// (Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2, 3", SC'11; the Random123
// library). No generator state exists, so a draw does not depend on which thread computes it,
// in which order, or on which other draws were made: results are bit-for-bit the same for any
// thread count or block size, and adding an input (a measure, a correlation) leaves every other
// draw unchanged.
#include <Random123/philox.h>

#include <algorithm>
#include <cstdint>

#include "core/normal.h"

namespace mppmc {

//! Stream ids. The values are part of the results' definition: never renumber them.
enum class Stream : std::uint32_t {
  path_input = 1,      //!< item = ParamId, period = 0: one uniform per path-level input
  inflow_year = 2,     //!< item = 0, period = calendar year: e_y of the annual inflow AR(1)
  monthly_noise = 3,   //!< item = 0, period = absolute month index: u_m of the monthly noise
  measure_effect = 4,  //!< item = hash of the measure's name, period = 0
  design = 5,  //!< path = row, item = dimension key, period = 2 x salt (+1): LHS permutations and jitter, Sobol shifts
  bootstrap = 6,  //!< path = resample, item = position: bootstrap indices
  benchmark = 7,  //!< path = row, item = dimension: plain Monte Carlo inputs of the benchmark functions
  fit = 8,  //!< path = bootstrap replicate, item = 0 its history / 1 + j its j-th future, period = step: inflow fits
};

//! Where one draw comes from. The period of a time-indexed stream is a calendar quantity
//! (a year, an absolute month index), so two scenarios that share a calendar month share
//! its draws (common random numbers across variants with different start months).
struct DrawAddress {
  std::uint64_t seed;
  std::uint32_t path;
  Stream stream;
  std::uint32_t item;
  std::uint32_t period;
};

//! The uniform of 53 random bits k: (k + 1/2) / 2^53, in the open interval (0, 1). For the
//! largest k, k + 1/2 rounds up to 2^53 (a tie, to even), which would give exactly 1 (and an
//! infinite normal); it is held at the largest double below 1 instead.
inline double unit_interval(std::uint64_t k) {
  return std::min((static_cast<double>(k) + 0.5) * 0x1.0p-53, 1.0 - 0x1.0p-53);
}

//! A uniform in the open interval (0, 1) with 53 random bits (unit_interval).
inline double uniform_at(const DrawAddress& at) {
  using Philox = r123::Philox4x32;
  const Philox::ctr_type counter = {{at.path, static_cast<std::uint32_t>(at.stream), at.item, at.period}};
  const Philox::key_type key = {{static_cast<std::uint32_t>(at.seed), static_cast<std::uint32_t>(at.seed >> 32)}};
  const Philox::ctr_type bits = Philox()(counter, key);
  return unit_interval((static_cast<std::uint64_t>(bits[0]) << 32 | bits[1]) >> 11);
}

//! A standard normal by inversion of uniform_at (inversion keeps one uniform per normal,
//! so Latin hypercube and quasi-random designs can later feed the same transform).
inline double normal_at(const DrawAddress& at) {
  return normal_quantile(uniform_at(at));
}

//! u[i] = uniform_at({seed, paths[i], stream, item, period}) for i < n: the same bits, four
//! Philox counters at a time where the CPU has AVX2 (core/simd.h).
void uniforms_at(std::uint64_t seed, const std::uint32_t* paths, int n, Stream stream, std::uint32_t item,
                 std::uint32_t period, double* u);

//! 32-bit FNV-1a of a name, the item of a named input (a measure) in its stream.
inline std::uint32_t name_hash(const char* name, std::size_t length) {
  std::uint32_t hash = 2166136261u;
  for (std::size_t i = 0; i < length; ++i) {
    hash ^= static_cast<unsigned char>(name[i]);
    hash *= 16777619u;
  }
  return hash;
}

}  // namespace mppmc
