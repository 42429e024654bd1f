#pragma once
// Sensitivity analysis: which uncertain inputs drive an output's spread.
//
//  * One-at-a-time (tornado): each input group at a low and a high quantile, every other input
//    at its median and the monthly noise at 1; the output's swing per input.
//  * Sobol indices (Sobol' 1993) by the Saltelli scheme: matrices A and B of N base samples and
//    the k matrices A_B^(i) (A with group i taken from B): N (k + 2) model runs. First order by
//    Saltelli et al. (2010, Comput. Phys. Commun. 181, eq. (b) of table 2), total order by
//    Jansen (1999, eq. (f)), with percentile bootstrap confidence intervals (Efron 1979).
//
// A group is what InputPlan calls one (a parameter, the correlated parameters of a copula
// component, the annual inflow levels, the monthly noise, a measure's effect). Its draws come
// from a row's addresses or design uniforms, so A_B^(noise) takes B's noise with A's other
// inputs without a special case.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/designs.h"
#include "engine/inputs.h"

namespace mppmc {

struct SobolOptions {
  int bootstrap = 200;       //!< resamples for the confidence intervals (0: none)
  double confidence = 0.95;  //!< level of the intervals
  std::uint64_t seed = 1;    //!< of the bootstrap resampling
};

struct SobolIndices {
  std::vector<std::string> inputs;
  std::vector<double> first_order, total_order;
  std::vector<double> first_low, first_high, total_low, total_high;  //!< bootstrap intervals
  double mean = 0, variance = 0;                                     //!< of the output over A and B
};

//! The estimators on outputs laid out [A (n), B (n), A_B^(1) (n), ..., A_B^(k) (n)].
SobolIndices sobol_indices(const std::vector<double>& y, std::int64_t n, const std::vector<std::string>& inputs,
                           const SobolOptions& options);

//! The rows of a Saltelli design over the scenario's input groups `varied` (indices into
//! plan.groups()); the other groups stay at their medians (noise factor 1). Row r is matrix
//! r / n (0 = A, 1 = B, 2 + i = A_B^(i)) at base sample r % n. With mc, A's sample j draws from
//! path j's addresses and B's from path n + j; with lhs or sobol, from design uniforms (Sobol:
//! A and B are the two halves of one 2D-dimensional sequence).
class SaltelliDesign : public PathDesign {
 public:
  SaltelliDesign(const InputPlan& plan, std::vector<int> varied, Sampling sampling, std::uint64_t seed, std::int64_t n);
  RowSource source(std::int64_t row) const override;
  std::int64_t rows() const { return n_ * static_cast<std::int64_t>(varied_.size() + 2); }

 private:
  RowSource base(int matrix, std::int64_t j) const;  // matrix 0 = A, 1 = B
  const InputPlan& plan_;
  std::vector<int> varied_;
  Sampling sampling_;
  std::int64_t n_;
  std::vector<UniformDesign> uniforms_;  // lhs: A and B; sobol: one of 2D dimensions
};

//! One-at-a-time rows: row 0 all at medians, then for each varied group i rows 1 + 2i (the
//! group at quantile `low`) and 2 + 2i (at `high`). The annual inflow group moves every year's
//! level to the quantile; the noise group sets eps_m = exp(sigma z_q - sigma^2 / 2) every month.
class TornadoDesign : public PathDesign {
 public:
  TornadoDesign(const InputPlan& plan, const Scenario& scenario, std::vector<int> varied, double low, double high);
  RowSource source(std::int64_t row) const override;
  std::int64_t rows() const { return 1 + 2 * static_cast<std::int64_t>(varied_.size()); }
  //! The group's input value at quantile u (its first dimension's value in the first year; the
  //! noise factor for the noise group), for the report.
  double input_value(int varied_index, double u) const;

 private:
  const InputPlan& plan_;
  const Scenario& scenario_;
  std::vector<int> varied_;
  double low_, high_;
};

//! Analytic test functions with known Sobol indices.
enum class Benchmark { ishigami, sobol_g };
struct BenchmarkSpec {
  std::string name;
  std::vector<std::string> inputs;
  std::vector<double> first_order, total_order;  //!< analytic
};
//! Ishigami & Homma (1990) with a = 7, b = 0.1 on [-pi, pi]^3; Sobol' G with
//! a = (0, 1, 4.5, 9, 99, 99, 99, 99) on [0, 1]^8 (Saltelli et al. 2010).
BenchmarkSpec benchmark_spec(Benchmark benchmark);
//! Runs the benchmark through the same Saltelli layout and estimators as studies.
SobolIndices run_benchmark(Benchmark benchmark, Sampling sampling, std::int64_t n, const SobolOptions& options);

}  // namespace mppmc
