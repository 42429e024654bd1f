#pragma once
// A mergeable quantile sketch with a relative-error guarantee: DDSketch (Masson, Rim & Lee 2019,
// "DDSketch: a fast and fully-mergeable quantile sketch with relative-error guarantees", VLDB).
// Values are counted in logarithmic buckets: bucket k holds (gamma^(k-1), gamma^k] with
// gamma = (1 + alpha) / (1 - alpha), and is represented by 2 gamma^k / (gamma + 1), which is
// within relative alpha of every value in it. Negative values mirror the positive ones, and
// |x| < kZero counts as zero. The bucket mapping is fixed, so merging is adding integer counts:
// the result does not depend on the order of adds or merges (threads, blocks, processes).
#include <cstdint>
#include <iosfwd>
#include <vector>

namespace mppmc {

class QuantileSketch {
 public:
  static constexpr double kZero = 1e-9;  //!< magnitudes below this count as 0
  explicit QuantileSketch(double alpha = 0.005);

  void add(double x);
  void merge(const QuantileSketch& other);
  std::int64_t count() const { return count_; }
  double alpha() const { return alpha_; }
  //! The order statistic of 0-based `rank` (0 <= rank < count()), within relative alpha of the
  //! exact value (exact for 0).
  double value_at_rank(std::int64_t rank) const;
  //! Percentiles (in percent) the way type 7 defines them (numpy's default), with the order
  //! statistics taken from the sketch: each within relative alpha of the exact percentile when
  //! the two neighbouring order statistics have one sign.
  std::vector<double> percentiles(const std::vector<double>& percents) const;

  //! Binary form for checkpoints (native byte order: a checkpoint resumes on the machine kind
  //! that wrote it).
  void write(std::ostream& out) const;
  //! Reads what write() wrote; false on a malformed stream.
  bool read(std::istream& in);

 private:
  struct Store {
    std::int32_t offset = 0;  // key of counts[0]
    std::vector<std::uint32_t> counts;
    void add(std::int32_t key);
    void merge(const Store& other);
  };
  std::int32_t key(double magnitude) const;
  double value(std::int32_t key) const;

  double alpha_, gamma_, log_gamma_;
  Store positive_, negative_;
  std::int64_t zero_ = 0;
  std::int64_t count_ = 0;
};

}  // namespace mppmc
