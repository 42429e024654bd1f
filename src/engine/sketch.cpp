#include "engine/sketch.h"

#include <algorithm>
#include <cmath>
#include <istream>
#include <ostream>

#include "core/binary_io.h"
#include "core/error.h"
#include "engine/statistics.h"

namespace mppmc {

QuantileSketch::QuantileSketch(double alpha)
    : alpha_(alpha), gamma_((1 + alpha) / (1 - alpha)), log_gamma_(std::log((1 + alpha) / (1 - alpha))) {
  MPPMC_CHECK(alpha > 0 && alpha < 1);
}

std::int32_t QuantileSketch::key(double magnitude) const {
  return static_cast<std::int32_t>(std::ceil(std::log(magnitude) / log_gamma_));
}

double QuantileSketch::value(std::int32_t key) const {
  return 2.0 * std::pow(gamma_, key) / (gamma_ + 1.0);
}

void QuantileSketch::Store::add(std::int32_t k) {
  if (counts.empty()) {
    offset = k;
    counts.assign(1, 0);
  } else if (k < offset) {
    counts.insert(counts.begin(), static_cast<std::size_t>(offset - k), 0);
    offset = k;
  } else if (k >= offset + static_cast<std::int32_t>(counts.size())) {
    counts.resize(static_cast<std::size_t>(k - offset + 1), 0);
  }
  ++counts[static_cast<std::size_t>(k - offset)];
}

void QuantileSketch::Store::merge(const Store& other) {
  if (other.counts.empty()) return;
  if (counts.empty()) {
    *this = other;
    return;
  }
  const std::int32_t lo = std::min(offset, other.offset);
  const std::int32_t hi = std::max(offset + static_cast<std::int32_t>(counts.size()),
                                   other.offset + static_cast<std::int32_t>(other.counts.size()));
  std::vector<std::uint32_t> merged(static_cast<std::size_t>(hi - lo), 0);
  for (std::size_t i = 0; i < counts.size(); ++i) merged[static_cast<std::size_t>(offset - lo) + i] += counts[i];
  for (std::size_t i = 0; i < other.counts.size(); ++i)
    merged[static_cast<std::size_t>(other.offset - lo) + i] += other.counts[i];
  counts = std::move(merged);
  offset = lo;
}

void QuantileSketch::add(double x) {
  ++count_;
  if (x > kZero)
    positive_.add(key(x));
  else if (x < -kZero)
    negative_.add(key(-x));
  else
    ++zero_;
}

void QuantileSketch::merge(const QuantileSketch& other) {
  MPPMC_CHECK_OP(alpha_, ==, other.alpha_);
  positive_.merge(other.positive_);
  negative_.merge(other.negative_);
  zero_ += other.zero_;
  count_ += other.count_;
}

double QuantileSketch::value_at_rank(std::int64_t rank) const {
  MPPMC_CHECK(rank >= 0 && rank < count_);
  // Negative values from the most negative (largest key) up, then zeros, then positives.
  std::int64_t seen = 0;
  for (std::size_t i = negative_.counts.size(); i-- > 0;) {
    seen += negative_.counts[i];
    if (rank < seen) return -value(negative_.offset + static_cast<std::int32_t>(i));
  }
  seen += zero_;
  if (rank < seen) return 0.0;
  for (std::size_t i = 0; i < positive_.counts.size(); ++i) {
    seen += positive_.counts[i];
    if (rank < seen) return value(positive_.offset + static_cast<std::int32_t>(i));
  }
  return value(positive_.offset + static_cast<std::int32_t>(positive_.counts.size()) - 1);
}

std::vector<double> QuantileSketch::percentiles(const std::vector<double>& percents) const {
  std::vector<double> out;
  for (double p : percents) {
    const double h = static_cast<double>(count_ - 1) * p / 100.0;
    const auto lo = std::min(static_cast<std::int64_t>(std::floor(h)), count_ - 1);
    const double fraction = h - static_cast<double>(lo);
    const double lower = value_at_rank(lo);
    if (lo + 1 >= count_ || fraction == 0.0) {
      out.push_back(lower);
      continue;
    }
    const double upper = value_at_rank(lo + 1);
    out.push_back(interpolate_type7(lower, upper, fraction));
  }
  return out;
}

void QuantileSketch::write(std::ostream& out) const {
  write_value(out, zero_);
  write_value(out, count_);
  for (const Store* store : {&positive_, &negative_}) {
    write_value(out, store->offset);
    write_value(out, static_cast<std::uint64_t>(store->counts.size()));
    out.write(reinterpret_cast<const char*>(store->counts.data()),
              static_cast<std::streamsize>(store->counts.size() * sizeof(std::uint32_t)));
  }
}

bool QuantileSketch::read(std::istream& in) {
  if (!read_value(in, zero_) || !read_value(in, count_)) return false;
  for (Store* store : {&positive_, &negative_}) {
    std::uint64_t size = 0;
    if (!read_value(in, store->offset) || !read_value(in, size) || size > (1u << 24)) return false;
    store->counts.resize(size);
    if (!in.read(reinterpret_cast<char*>(store->counts.data()),
                 static_cast<std::streamsize>(size * sizeof(std::uint32_t))))
      return false;
  }
  return true;
}

}  // namespace mppmc
