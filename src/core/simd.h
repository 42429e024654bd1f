#pragma once
// Run-time choice between the portable code paths (x86-64's SSE2, what the official build
// targets) and their AVX2 twins. A twin does exactly the same IEEE operations on the same
// values in the same order, only more of them per instruction: no fused multiply-add (the
// target is "avx2", which does not enable FMA, and the build sets -ffp-contract=off), no
// reassociation. So both give the same bits, and a result never depends on the machine that
// computed it (tests/engine/test_statistics.cpp, tests/core/test_random.cpp and test_normal.cpp, and
// tests/python/test_determinism.py compare them).

namespace mppmc {

//! Whether the AVX2 paths run: the CPU has AVX2, MPPMC_PORTABLE is unset or empty in the
//! environment, and no test forced the portable paths.
bool use_avx2();

//! For tests and benchmarks: false forces the portable paths, true restores the CPU's choice.
void allow_avx2(bool allowed);

}  // namespace mppmc
