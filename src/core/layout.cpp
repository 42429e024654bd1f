#include "core/layout.h"

#include <sys/mman.h>

#include <algorithm>
#include <new>

namespace mppmc {

LargeArray allocate_large(std::size_t count) {
  const std::size_t bytes = std::max<std::size_t>(count, 1) * sizeof(double);
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  madvise(p, bytes, MADV_HUGEPAGE);  // a hint; ignored where transparent huge pages are off
  return LargeArray(static_cast<double*>(p), LargeArrayFree{bytes});
}

void LargeArrayFree::operator()(double* p) const {
  munmap(p, bytes);
}

double* BlockArena::doubles(std::size_t count) {
  constexpr std::size_t kLine = 64 / sizeof(double);
  count = (std::max<std::size_t>(count, 1) + kLine - 1) / kLine * kLine;  // whole cache lines
  const std::lock_guard<std::mutex> hold(lock_);
  if (count > left_) {
    const std::size_t size = std::max(count, huge_pages_ ? std::size_t{8} << 20 : std::size_t{32} << 10);
    if (huge_pages_) {
      large_.push_back(allocate_large(size));
      next_ = large_.back().get();
    } else {
      // 64-byte aligned: one line more than asked, the start rounded up.
      heap_.push_back(std::make_unique_for_overwrite<double[]>(size + kLine));
      const auto address = reinterpret_cast<std::uintptr_t>(heap_.back().get());
      next_ = heap_.back().get() + (kLine - address / sizeof(double) % kLine) % kLine;
    }
    left_ = size;
  }
  double* p = next_;
  next_ += count;
  left_ -= count;
  return p;
}

std::uint32_t* BlockArena::uint32s(std::size_t count) {
  return reinterpret_cast<std::uint32_t*>(doubles((count + 1) / 2));
}

}  // namespace mppmc
