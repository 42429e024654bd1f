#pragma once
// What the commands print for people: progress on stderr, numbers with thousands separators,
// warnings. Under MPI only rank 0 speaks.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"

namespace mppmc::app {

//! Progress of a long run on stderr: a bar redrawn in place on a terminal (4 times a second),
//! a plain line every 5 s in a log; short runs stay silent, the last line is printed once.
class Progress {
 public:
  explicit Progress(bool quiet);
  void operator()(std::int64_t done, std::int64_t total);

 private:
  using Clock = std::chrono::steady_clock;
  bool quiet_, tty_, shown_ = false, finished_ = false;
  Clock::time_point start_, last_;
};

//! Prints each warning on stderr (rank 0 only).
void print_warnings(const std::vector<Problem>& warnings);

//! `value` rounded to a whole number with thousands separators: 57600 -> "57,600".
std::string thousands(double value);

//! Seconds since `t0`.
double seconds_since(std::chrono::steady_clock::time_point t0);

}  // namespace mppmc::app
