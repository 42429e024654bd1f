#pragma once
// An order-independent sum of doubles. Each added value is cut into 32-bit digits of one
// fixed-point number covering 2^-256 .. 2^1056, held in 64-bit integers (a Kulisch-style long
// accumulator). Integer addition is associative, so the state after adding any values, in any
// order and any grouping (threads, chunks, processes, a checkpoint and a resume), is the same
// bit for bit, and value() is a pure function of that state. Bits of a value below 2^-256 are
// dropped (the same bits every time, so the sum stays order-independent); a magnitude of
// 2^1024 or more cannot occur (doubles are finite here: the month step refuses non-finite
// values). Memory: 44 integers, whatever the number of values.
//
// Used for the moments of streamed (sketch) runs, which would otherwise have to keep every
// chunk's moments to merge them in chunk order (src/engine/chunked.cpp).
#include <array>
#include <bit>
#include <cstdint>
#include <iosfwd>

namespace mppmc {

class ExactSum {
 public:
  //! Adds x exactly (down to 2^-256). x must be finite.
  void add(double x) {
    const auto bits = std::bit_cast<std::uint64_t>(x);
    const int biased = static_cast<int>((bits >> 52) & 0x7ff);
    std::uint64_t mantissa = bits & ((std::uint64_t{1} << 52) - 1);
    if (biased != 0) mantissa |= std::uint64_t{1} << 52;
    if (mantissa == 0) return;
    // x = mantissa * 2^(exponent), the lowest digit's bit 0 stands for 2^-kLowBits.
    int position = (biased == 0 ? 1 : biased) - 1075 + kLowBits;
    if (position < 0) {
      if (position <= -53) return;
      mantissa >>= -position;
      position = 0;
    }
    // mantissa * 2^shift (at most 84 bits) as three 32-bit digits.
    const int shift = position % 32;
    const std::uint64_t piece[3] = {(mantissa << shift) & 0xffffffffu,
                                    (shift == 0 ? mantissa >> 32 : mantissa >> (32 - shift)) & 0xffffffffu,
                                    shift == 0 ? 0 : mantissa >> (64 - shift)};
    const std::size_t digit = static_cast<std::size_t>(position / 32);
    const std::int64_t sign = (bits >> 63) != 0 ? -1 : 1;
    for (std::size_t k = 0; k < 3; ++k) digits_[digit + k] += sign * static_cast<std::int64_t>(piece[k]);
    if (++adds_ == kAddsBeforeCarry) carry();
  }

  //! Adds everything `other` holds: the same state as adding its values one by one.
  void add(const ExactSum& other) {
    carry();
    ExactSum part = other;
    part.carry();
    for (std::size_t k = 0; k < kDigits; ++k) digits_[k] += part.digits_[k];
    carry();
  }

  //! The sum, rounded to a double (within a few units in the last place of the exact sum; the
  //! same double for the same state).
  double value() const;

  //! The state in binary (native byte order), for checkpoints and messages between processes.
  void write(std::ostream& out) const;
  //! Reads what write() wrote; false on a short stream.
  bool read(std::istream& in);

  bool operator==(const ExactSum& other) const;

 private:
  static constexpr int kLowBits = 256;
  static constexpr std::size_t kDigits = 44;  // (1056 + 256) / 32 digits, and a sign digit
  // Each add changes a digit by less than 2^32 in magnitude; after 2^30 adds a digit is below
  // 2^62, so carrying then keeps every digit inside an int64.
  static constexpr std::int64_t kAddsBeforeCarry = std::int64_t{1} << 30;

  // Moves each digit's bits above 32 into the next digit: digits 0 .. kDigits - 2 end in
  // [0, 2^32), the top one carries the sign. The value and its canonical form do not change.
  void carry();

  std::array<std::int64_t, kDigits> digits_{};
  std::int64_t adds_ = 0;
};

}  // namespace mppmc
