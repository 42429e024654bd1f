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

}  // namespace mppmc
