#include "engine/statistics.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/simd.h"

// See "The passes and their helpers" below.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace mppmc {

namespace {

// Places the order statistics `ranks[first, last)` (ascending) at their sorted positions:
// selecting the middle rank splits the array, and each side only holds its own ranks
// (multi-select, O(N log k) for k ranks instead of O(N k)).
void select_ranks(double* data, std::int64_t begin, std::int64_t end, const std::int64_t* first,
                  const std::int64_t* last) {
  if (first == last) return;
  const std::int64_t* middle = first + (last - first) / 2;
  std::nth_element(data + begin, data + *middle, data + end);
  select_ranks(data, begin, *middle, first, middle);
  select_ranks(data, *middle + 1, end, middle + 1, last);
}

constexpr std::int64_t kBins = 4096;
// At most this many wanted bins are looked for a vector at a time (7 percentiles and the band's
// 3 need at most 14 ranks); more, and every value's bin is looked up.
constexpr std::size_t kMaxWantedBins = 16;
static_assert(kBins <= 65536, "bins are recorded in 16 bits");

// Sums over a column run in kLanes lanes keyed by path index (lane i mod 8 holds paths i, i + 8,
// ...), combined in one fixed order: the same bits whatever the threads, blocks or processes
// (a column always holds its N values in path order), and eight independent addition chains
// instead of one, so the additions no longer wait on each other.
constexpr int kLanes = 8;

// ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)).
double combine_lanes(const double (&lane)[kLanes]) {
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

// The passes over a column are written once, for W doubles per vector (GCC's vector
// extensions), and compiled twice (core/simd.h): W = 2 is SSE2, what every x86-64 has; W = 4
// runs in AVX2 twins. Lane l of the 8 is element l of vector l / W, so both widths add the same
// values in the same order. (Vectors wider than the target's registers would go through
// memory, hence two widths rather than one wide vector.)
template <int W>
struct Vectors;
template <>
struct Vectors<2> {
  typedef double Doubles __attribute__((vector_size(16)));
  typedef std::int32_t Ints __attribute__((vector_size(8)));
  typedef std::uint16_t Bins __attribute__((vector_size(16)));
};
template <>
struct Vectors<4> {
  typedef double Doubles __attribute__((vector_size(32)));
  typedef std::int32_t Ints __attribute__((vector_size(16)));
  typedef std::uint16_t Bins __attribute__((vector_size(32)));
};
// The passes and their helpers are always inlined into the twins below: a 32-byte vector is
// only ever passed inside an AVX2 function, never across a call with the portable ABI (the
// -Wpsabi note about such calls is switched off at the top of this file).
template <typename V>
[[gnu::always_inline]] inline V load(const void* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <typename V>
[[gnu::always_inline]] inline V splat(double x) {
  return V{} + x;
}

// Pass 1 of order_statistics: the sum (in lanes), min and max.
struct SumRange {
  double sum, min, max;
};
template <int W>
[[gnu::always_inline]] inline SumRange sum_min_max_pass(const double* x, std::int64_t n) {
  using Doubles = typename Vectors<W>::Doubles;
  constexpr int kVectors = kLanes / W;
  Doubles sum[kVectors], lo[kVectors], hi[kVectors];
  for (int v = 0; v < kVectors; ++v) {
    sum[v] = splat<Doubles>(0.0);
    lo[v] = hi[v] = splat<Doubles>(x[0]);
  }
  std::int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int v = 0; v < kVectors; ++v) {
      const Doubles a = load<Doubles>(x + i + v * W);
      sum[v] += a;
      lo[v] = a < lo[v] ? a : lo[v];
      hi[v] = a > hi[v] ? a : hi[v];
    }
  double lane_sum[kLanes], lane_lo[kLanes], lane_hi[kLanes];
  for (int l = 0; l < kLanes; ++l) {
    lane_sum[l] = sum[l / W][l % W];
    lane_lo[l] = lo[l / W][l % W];
    lane_hi[l] = hi[l / W][l % W];
  }
  for (int l = 0; i < n; ++i, ++l) {
    lane_sum[l] += x[i];
    lane_lo[l] = x[i] < lane_lo[l] ? x[i] : lane_lo[l];
    lane_hi[l] = x[i] > lane_hi[l] ? x[i] : lane_hi[l];
  }
  double min = lane_lo[0], max = lane_hi[0];
  for (int l = 1; l < kLanes; ++l) {
    min = std::min(min, lane_lo[l]);
    max = std::max(max, lane_hi[l]);
  }
  return {combine_lanes(lane_sum), min, max};
}

// The squared deviations from `mean`, in lanes.
template <int W>
[[gnu::always_inline]] inline double squares_pass(const double* x, std::int64_t n, double mean) {
  using Doubles = typename Vectors<W>::Doubles;
  constexpr int kVectors = kLanes / W;
  Doubles squares[kVectors];
  const Doubles m = splat<Doubles>(mean);
  for (Doubles& s : squares) s = splat<Doubles>(0.0);
  std::int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int v = 0; v < kVectors; ++v) {
      const Doubles d = load<Doubles>(x + i + v * W) - m;
      squares[v] += d * d;
    }
  double lane[kLanes];
  for (int l = 0; l < kLanes; ++l) lane[l] = squares[l / W][l % W];
  for (int l = 0; i < n; ++i, ++l) lane[l] += (x[i] - mean) * (x[i] - mean);
  return combine_lanes(lane);
}

// Each value's bin, min(kBins - 1, floor((x - min) * scale)): clamped before the truncation,
// which is the same for the non-negative (x - min) * scale.
template <int W>
[[gnu::always_inline]] inline void bins_pass(const double* x, std::int64_t n, double min, double scale,
                                             std::uint16_t* bins) {
  using Doubles = typename Vectors<W>::Doubles;
  using Ints = typename Vectors<W>::Ints;
  const double top = static_cast<double>(kBins - 1);
  const Doubles low = splat<Doubles>(min), factor = splat<Doubles>(scale), last = splat<Doubles>(top);
  std::int64_t i = 0;
  for (; i + W <= n; i += W) {
    Doubles t = (load<Doubles>(x + i) - low) * factor;
    t = t < last ? t : last;
    const Ints k = __builtin_convertvector(t, Ints);
    for (int l = 0; l < W; ++l) bins[i + l] = static_cast<std::uint16_t>(k[l]);
  }
  for (; i < n; ++i) {
    const double t = (x[i] - min) * scale;
    bins[i] = static_cast<std::uint16_t>(static_cast<std::int32_t>(t < top ? t : top));
  }
}

// The first i' >= i, in steps of one vector of bins, whose vector holds a bin of wanted[0, J)
// (J >= 1); n's neighbourhood when none does (the rest, under a vector, is left to the caller).
template <int W>
[[gnu::always_inline]] inline std::int64_t next_wanted_pass(const std::uint16_t* bins, std::int64_t i, std::int64_t n,
                                                            const std::uint16_t* wanted, std::size_t J) {
  using Bins = typename Vectors<W>::Bins;
  constexpr int kPerVector = static_cast<int>(sizeof(Bins) / sizeof(std::uint16_t));
  Bins want[kMaxWantedBins];
  for (std::size_t j = 0; j < J; ++j) want[j] = Bins{} + wanted[j];
  for (; i + kPerVector <= n; i += kPerVector) {
    const Bins b = load<Bins>(bins + i);
    Bins hit = b == want[0];
    for (std::size_t j = 1; j < J; ++j) hit |= static_cast<Bins>(b == want[j]);
    std::uint64_t words[sizeof(Bins) / 8];
    std::memcpy(words, &hit, sizeof words);
    std::uint64_t any = 0;
    for (const std::uint64_t w : words) any |= w;
    if (any != 0) return i;
  }
  return i;
}

// The two builds of each pass; their targets are the only difference.
namespace portable {
SumRange sum_min_max(const double* x, std::int64_t n) {
  return sum_min_max_pass<2>(x, n);
}
double squares_about(const double* x, std::int64_t n, double mean) {
  return squares_pass<2>(x, n, mean);
}
void bins_of(const double* x, std::int64_t n, double min, double scale, std::uint16_t* bins) {
  bins_pass<2>(x, n, min, scale, bins);
}
std::int64_t next_wanted(const std::uint16_t* bins, std::int64_t i, std::int64_t n, const std::uint16_t* wanted,
                         std::size_t J) {
  return next_wanted_pass<2>(bins, i, n, wanted, J);
}
}  // namespace portable

namespace avx2 {
[[gnu::target("avx2")]] SumRange sum_min_max(const double* x, std::int64_t n) {
  return sum_min_max_pass<4>(x, n);
}
[[gnu::target("avx2")]] double squares_about(const double* x, std::int64_t n, double mean) {
  return squares_pass<4>(x, n, mean);
}
[[gnu::target("avx2")]] void bins_of(const double* x, std::int64_t n, double min, double scale, std::uint16_t* bins) {
  bins_pass<4>(x, n, min, scale, bins);
}
[[gnu::target("avx2")]] std::int64_t next_wanted(const std::uint16_t* bins, std::int64_t i, std::int64_t n,
                                                 const std::uint16_t* wanted, std::size_t J) {
  return next_wanted_pass<4>(bins, i, n, wanted, J);
}
}  // namespace avx2

SumRange sum_min_max(const double* x, std::int64_t n) {
  return use_avx2() ? avx2::sum_min_max(x, n) : portable::sum_min_max(x, n);
}
double squares_about(const double* x, std::int64_t n, double mean) {
  return use_avx2() ? avx2::squares_about(x, n, mean) : portable::squares_about(x, n, mean);
}

// Pass 3: every value's bin (kept for pass 4) and the count of values below each bin. Four
// interleaved histograms of 32-bit counts (in L1): neighbouring values often fall in the same
// bin, and one array would make each increment wait for the previous one's store.
void histogram(const double* x, std::int64_t n, double min, double scale, std::vector<std::uint16_t>& bins,
               std::vector<std::int64_t>& count) {
  bins.resize(static_cast<std::size_t>(n));
  if (use_avx2())
    avx2::bins_of(x, n, min, scale, bins.data());
  else
    portable::bins_of(x, n, min, scale, bins.data());
  thread_local std::vector<std::uint32_t> counts;
  counts.assign(4 * kBins, 0);
  const std::uint16_t* b = bins.data();
  std::uint32_t* c = counts.data();
  std::int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    ++c[b[i]];
    ++c[kBins + b[i + 1]];
    ++c[2 * kBins + b[i + 2]];
    ++c[3 * kBins + b[i + 3]];
  }
  for (; i < n; ++i) ++c[b[i]];
  count.assign(kBins + 1, 0);  // count[b]: values in bins below b
  for (std::int64_t k = 0; k < kBins; ++k)
    count[static_cast<std::size_t>(k + 1)] =
        count[static_cast<std::size_t>(k)] + c[k] + c[kBins + k] + c[2 * kBins + k] + c[3 * kBins + k];
}

// Pass 4: the order statistics `ranks` of x[0..n) from the values of the bins that hold them.
void select_in_bins(const double* x, std::int64_t n, const std::vector<std::int64_t>& ranks,
                    const std::vector<std::uint16_t>& bins, const std::vector<std::int64_t>& count,
                    std::vector<double>& values, std::vector<double>& scratch) {
  // The bins of the ranks (ascending, as the ranks are), and where each wanted bin's values go
  // in the candidate buffer:
  std::vector<std::int64_t> bin_of_rank(ranks.size()), wanted_bins;
  for (std::size_t k = 0; k < ranks.size(); ++k) {
    const auto b =
        static_cast<std::int64_t>(std::upper_bound(count.begin(), count.end(), ranks[k]) - count.begin()) - 1;
    bin_of_rank[k] = b;
    if (wanted_bins.empty() || wanted_bins.back() != b) wanted_bins.push_back(b);
  }
  const std::size_t J = wanted_bins.size();
  const bool vectors = J <= kMaxWantedBins;
  std::vector<std::int64_t> slot(J), next(J);
  std::uint16_t wanted[kMaxWantedBins];
  std::int64_t total = 0;
  for (std::size_t j = 0; j < J; ++j) {
    const auto b = static_cast<std::size_t>(wanted_bins[j]);
    slot[j] = next[j] = total;
    total += count[b + 1] - count[b];
    if (vectors) wanted[j] = static_cast<std::uint16_t>(b);
  }
  scratch.resize(static_cast<std::size_t>(total));
  // The bins are scanned a vector at a time for any wanted one (most hold none); around a hit,
  // each value's place comes from a table of the bins (16 KB, in L1).
  thread_local std::vector<std::int32_t> which(kBins, -1);
  for (std::size_t j = 0; j < J; ++j) which[static_cast<std::size_t>(wanted_bins[j])] = static_cast<std::int32_t>(j);
  const std::uint16_t* b = bins.data();
  constexpr std::int64_t kRun = 32;  // values taken one by one after a hit: a multiple of both vector sizes
  for (std::int64_t i = 0; i < n;) {
    if (vectors) i = use_avx2() ? avx2::next_wanted(b, i, n, wanted, J) : portable::next_wanted(b, i, n, wanted, J);
    for (const std::int64_t end = vectors ? std::min(n, i + kRun) : n; i < end; ++i) {
      const int j = which[b[i]];
      if (j >= 0) scratch[static_cast<std::size_t>(next[static_cast<std::size_t>(j)]++)] = x[i];
    }
  }
  for (const std::int64_t bin : wanted_bins) which[static_cast<std::size_t>(bin)] = -1;
  // Select within each wanted bin, all of its ranks at once.
  for (std::size_t j = 0; j < J; ++j) {
    const std::int64_t below = count[static_cast<std::size_t>(wanted_bins[j])];
    std::vector<std::int64_t> local;
    for (std::size_t k = 0; k < ranks.size(); ++k)
      if (bin_of_rank[k] == wanted_bins[j]) local.push_back(slot[j] + ranks[k] - below);
    select_ranks(scratch.data(), slot[j], next[j], local.data(), local.data() + local.size());
  }
  for (std::size_t k = 0, j = 0; k < ranks.size(); ++k) {
    while (wanted_bins[j] != bin_of_rank[k]) ++j;
    values[k] = scratch[static_cast<std::size_t>(slot[j] + ranks[k] - count[static_cast<std::size_t>(bin_of_rank[k])])];
  }
}

// The values of the order statistics `ranks` (ascending, unique) of x[0..n), exactly, and the
// column's moments. A histogram over [min, max] (bin = floor((x - min) * scale) is monotone in
// x, so every value of a lower bin is <= every value of a higher one) finds the bin of each rank;
// only the few bins that hold a wanted rank are copied and selected in. Passes: the sum with
// min/max; the squared deviations; the bins and their histogram; the scan for wanted bins. The
// sums run in the same lanes as `moments`, so the mean and std are bit for bit those of
// `moments`.
void order_statistics(const double* x, std::int64_t n, const std::vector<std::int64_t>& ranks,
                      std::vector<double>& values, std::vector<double>& scratch, Moments& moments_out) {
  values.assign(ranks.size(), 0.0);
  const SumRange range = sum_min_max(x, n);
  const double mean = range.sum / static_cast<double>(n);
  moments_out = {mean, std::sqrt(squares_about(x, n, mean) / static_cast<double>(n))};
  if (!(range.max > range.min)) {
    std::fill(values.begin(), values.end(), range.min);
    return;
  }
  const double scale = static_cast<double>(kBins) / (range.max - range.min);
  thread_local std::vector<std::uint16_t> bins;  // each value's bin, for pass 4 (reused per thread)
  std::vector<std::int64_t> count;
  histogram(x, n, range.min, scale, bins, count);
  select_in_bins(x, n, ranks, bins, count, values, scratch);
}

}  // namespace

ColumnSummary summarize_column(const double* x, std::int64_t n, const std::vector<double>& percents,
                               std::vector<double>& scratch) {
  MPPMC_CHECK(n >= 1);
  // Type 7 needs the order statistics floor(h) and floor(h) + 1.
  std::vector<std::int64_t> lower(percents.size());
  std::vector<double> hs(percents.size());
  std::vector<std::int64_t> ranks;
  for (std::size_t k = 0; k < percents.size(); ++k) {
    MPPMC_CHECK(percents[k] >= 0.0 && percents[k] <= 100.0);
    hs[k] = static_cast<double>(n - 1) * percents[k] / 100.0;
    lower[k] = std::min(static_cast<std::int64_t>(std::floor(hs[k])), n - 1);
    ranks.push_back(lower[k]);
    if (lower[k] + 1 < n) ranks.push_back(lower[k] + 1);
  }
  std::sort(ranks.begin(), ranks.end());
  ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
  std::vector<double> values;
  ColumnSummary summary;
  order_statistics(x, n, ranks, values, scratch, summary.moments);
  auto value_at = [&](std::int64_t rank) {
    return values[static_cast<std::size_t>(std::lower_bound(ranks.begin(), ranks.end(), rank) - ranks.begin())];
  };

  std::vector<double>& out = summary.percentiles;
  out.reserve(percents.size());
  for (std::size_t k = 0; k < percents.size(); ++k) {
    const double lower_value = value_at(lower[k]);
    const double fraction = hs[k] - static_cast<double>(lower[k]);
    if (lower[k] + 1 >= n || fraction == 0.0) {
      out.push_back(lower_value);
      continue;
    }
    const double upper_value = value_at(lower[k] + 1);
    out.push_back(interpolate_type7(lower_value, upper_value, fraction));
  }
  return summary;
}

std::vector<double> percentiles_type7(const double* x, std::int64_t n, const std::vector<double>& percents,
                                      std::vector<double>& scratch) {
  return summarize_column(x, n, percents, scratch).percentiles;
}

Moments moments(const double* x, std::int64_t n) {
  MPPMC_CHECK(n >= 1);
  const double mean = sum_min_max(x, n).sum / static_cast<double>(n);
  return {mean, std::sqrt(squares_about(x, n, mean) / static_cast<double>(n))};
}

}  // namespace mppmc
