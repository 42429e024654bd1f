#include "engine/designs.h"

// Before any Boost header that reaches Boost.Math (sobol.hpp does): it configures Boost.Math.
#include "core/boost_math.h"

#include <boost/random/sobol.hpp>
#include <cmath>

#include "core/error.h"
#include "core/random.h"

namespace mppmc {

namespace {
// Keep a design's uniforms strictly inside (0, 1), where every quantile function is finite.
double open_unit(double u) {
  return std::clamp(u, 0x1.0p-53, 1.0 - 0x1.0p-53);
}
}  // namespace

const char* sampling_name(Sampling sampling) {
  switch (sampling) {
    case Sampling::mc:
      return "mc";
    case Sampling::lhs:
      return "lhs";
    case Sampling::sobol:
      return "sobol";
  }
  return "?";
}

std::optional<Sampling> parse_sampling(std::string_view text) {
  for (Sampling s : {Sampling::mc, Sampling::lhs, Sampling::sobol})
    if (text == sampling_name(s)) return s;
  return std::nullopt;
}

UniformDesign::UniformDesign(Sampling sampling, std::uint64_t seed, std::int64_t rows, std::vector<std::uint32_t> keys,
                             std::uint32_t salt)
    : sampling_(sampling), seed_(seed), rows_(rows), keys_(std::move(keys)), salt_(salt) {
  MPPMC_CHECK(rows >= 1);
  const std::size_t dims = keys_.size();
  if (sampling_ == Sampling::lhs) {
    // One random permutation of the strata per dimension (Fisher-Yates on addressed uniforms).
    permutation_.resize(dims * static_cast<std::size_t>(rows));
    for (std::size_t d = 0; d < dims; ++d) {
      std::uint32_t* perm = &permutation_[d * static_cast<std::size_t>(rows)];
      for (std::int64_t i = 0; i < rows; ++i) perm[i] = static_cast<std::uint32_t>(i);
      for (std::int64_t i = rows - 1; i > 0; --i) {
        const double u = uniform_at({seed_, static_cast<std::uint32_t>(i), Stream::design, keys_[d], 2 * salt_});
        const auto j = static_cast<std::int64_t>(u * static_cast<double>(i + 1));
        std::swap(perm[i], perm[std::min(j, i)]);
      }
    }
  } else if (sampling_ == Sampling::sobol) {
    if (dims > 0) {
      boost::random::sobol engine(static_cast<unsigned>(dims));
      points_.resize(dims * static_cast<std::size_t>(rows));
      std::vector<double> shift(dims);
      for (std::size_t d = 0; d < dims; ++d)
        shift[d] = uniform_at({seed_, 0, Stream::design, static_cast<std::uint32_t>(d), 2 * salt_ + 1});
      // Boost's engine starts after the origin; the sequence proper starts at it, and only with
      // it are the first 2^m points a (t, m, s)-net.
      for (std::int64_t i = 0; i < rows; ++i)
        for (std::size_t d = 0; d < dims; ++d) {
          const double x = i == 0 ? 0.0 : static_cast<double>(engine()) * 0x1.0p-64;  // coordinate in [0, 1)
          double u = x + shift[d];
          if (u >= 1.0) u -= 1.0;
          points_[static_cast<std::size_t>(i) * dims + d] = open_unit(u);
        }
    }
  }
}

double UniformDesign::at(std::int64_t row, int dim) const {
  const auto d = static_cast<std::size_t>(dim);
  switch (sampling_) {
    case Sampling::mc:
      return uniform_at({seed_, static_cast<std::uint32_t>(row), Stream::benchmark, keys_[d], salt_});
    case Sampling::lhs: {
      const double jitter =
          uniform_at({seed_, static_cast<std::uint32_t>(row), Stream::design, keys_[d], 2 * salt_ + 1});
      const double stratum = permutation_[d * static_cast<std::size_t>(rows_) + static_cast<std::size_t>(row)];
      return open_unit((stratum + jitter) / static_cast<double>(rows_));
    }
    case Sampling::sobol:
      return points_[static_cast<std::size_t>(row) * keys_.size() + d];
  }
  return 0.5;
}

namespace {
// Stable keys of a plan's dimensions: position-independent for LHS columns.
std::vector<std::uint32_t> dimension_keys(const InputPlan& plan) {
  std::vector<std::uint32_t> keys;
  for (int d = 0; d < plan.dimensions(); ++d) keys.push_back(plan.dimension_key(d));
  return keys;
}
}  // namespace

SampledDesign::SampledDesign(const InputPlan& plan, Sampling sampling, std::uint64_t seed, std::int64_t rows)
    : plan_(plan), uniforms_(sampling, seed, rows, dimension_keys(plan)) {}

RowSource SampledDesign::source(std::int64_t row) const {
  RowSource source = plan_.own_source(static_cast<std::uint32_t>(row));
  for (int d = 0; d < plan_.dimensions(); ++d) source.uniform[static_cast<std::size_t>(d)] = uniforms_.at(row, d);
  return source;
}

}  // namespace mppmc
