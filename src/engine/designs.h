#pragma once
// Sampling designs: the uniforms that drive the path-level inputs, for plain Monte Carlo
// (addresses), Latin hypercube (McKay, Beckman & Conover 1979) and randomly shifted Sobol
// points (Sobol' 1967; Joe & Kuo direction numbers via Boost.Random's sobol engine; the random
// shift of Cranley & Patterson 1976 makes the estimates unbiased). Every number is a pure
// function of (seed, design, row, dimension): thread counts never change a point.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/inputs.h"

namespace mppmc {

enum class Sampling { mc, lhs, sobol };
//! "mc", "lhs", "sobol".
const char* sampling_name(Sampling sampling);
//! The sampling named `text` ("mc", "lhs" or "sobol"); nothing for any other text.
std::optional<Sampling> parse_sampling(std::string_view text);

//! Uniforms u(row, dim) in (0, 1) over `rows` rows. A dimension is identified by a stable key,
//! so a Latin hypercube column does not change when other dimensions come or go; Sobol points
//! use the dimension's position. `salt` separates independent designs of one seed (e.g. the
//! A and B matrices of a Saltelli design).
class UniformDesign {
 public:
  UniformDesign(Sampling sampling, std::uint64_t seed, std::int64_t rows, std::vector<std::uint32_t> keys,
                std::uint32_t salt = 0);
  double at(std::int64_t row, int dim) const;
  int dimensions() const { return static_cast<int>(keys_.size()); }

 private:
  Sampling sampling_;
  std::uint64_t seed_;
  std::int64_t rows_;
  std::vector<std::uint32_t> keys_;
  std::uint32_t salt_;
  std::vector<std::uint32_t> permutation_;  // lhs: [dim][row]
  std::vector<double> points_;              // sobol: [row][dim], shifted
};

//! An ordinary run's design: the path-level dimensions from a Latin hypercube or Sobol
//! points; the monthly noise stays plain Monte Carlo, addressed by the row.
class SampledDesign : public PathDesign {
 public:
  SampledDesign(const InputPlan& plan, Sampling sampling, std::uint64_t seed, std::int64_t rows);
  RowSource source(std::int64_t row) const override;

 private:
  const InputPlan& plan_;
  UniformDesign uniforms_;
};

}  // namespace mppmc
