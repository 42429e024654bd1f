#pragma once
// How arrays of path values are laid out one after another in memory, and where large ones live.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace mppmc {

//! The distance, in doubles, between consecutive arrays of n path values that are read or
//! written together (a month step touches some 60: parameters, stocks, outputs): n rounded up
//! to whole 64-byte cache lines, plus one line where that count is even. Arrays a multiple of
//! 4 KB apart (a 256-path block's parameters at 12 KB, page-aligned 100,000-path columns)
//! share one set of the 8-way L1 cache at every index, so each access evicts another array's
//! line: the month step ran 2.9x slower (bench BM_MonthStep). An odd number of lines between
//! arrays puts any 64 consecutive ones in 64 different sets.
constexpr std::size_t padded_stride(std::size_t n) {
  constexpr std::size_t kLine = 64 / sizeof(double);
  const std::size_t lines = (n + kLine - 1) / kLine;
  return (lines | 1) * kLine;
}

//! Frees a LargeArray (munmap).
struct LargeArrayFree {
  std::size_t bytes;
  void operator()(double* p) const;
};
//! A large array of doubles, written once by its owners: fresh anonymous memory (the kernel's
//! zero pages, not filled by us) with a hint for transparent huge pages where the kernel offers
//! them on request, so hundreds of MB of columns take a few hundred page faults, not 100,000s.
using LargeArray = std::unique_ptr<double[], LargeArrayFree>;
//! `count` doubles (at least one); throws std::bad_alloc when the memory is not there.
LargeArray allocate_large(std::size_t count);

//! Many small arrays that live as long as the arena, carved one after another out of larger
//! regions. For a run's blocks (some 1 kB per path, for the whole run) the regions are
//! LargeArrays: huge pages and a few hundred page faults instead of one fault per 4 kB (about
//! 4% of a 100,000-path run's time went to those faults). A block that lives for a moment
//! takes ordinary heap regions instead. Safe to call from several threads; the memory is given
//! back when the arena goes.
class BlockArena {
 public:
  //! huge_pages: LargeArray regions of 64 MiB (virtual; only what is used is ever touched),
  //! else heap regions of 256 kB.
  explicit BlockArena(bool huge_pages = true) : huge_pages_(huge_pages) {}
  //! `count` doubles, 64-byte aligned, not zero-filled.
  double* doubles(std::size_t count);
  //! `count` 32-bit unsigned integers, 64-byte aligned, not zero-filled.
  std::uint32_t* uint32s(std::size_t count);

 private:
  bool huge_pages_;
  std::mutex lock_;
  std::vector<LargeArray> large_;
  std::vector<std::unique_ptr<double[]>> heap_;
  double* next_ = nullptr;  // in the last region
  std::size_t left_ = 0;    // doubles
};

}  // namespace mppmc
