#include "app/console.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "engine/cluster.h"

namespace mppmc::app {

Progress::Progress(bool quiet) : quiet_(quiet), tty_(isatty(STDERR_FILENO)), start_(Clock::now()), last_(start_) {}

void Progress::operator()(std::int64_t done, std::int64_t total) {
  if (quiet_) return;
  const auto now = Clock::now();
  const double since_last = std::chrono::duration<double>(now - last_).count();
  const bool finished = done >= total;
  if (!finished && since_last < (tty_ ? 0.25 : 5.0)) return;
  if (finished && (!shown_ || finished_)) return;  // short runs stay silent; the last line once
  finished_ = finished;
  last_ = now;
  shown_ = true;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0.0;
  // On a terminal a bar redrawn in place; in a log a plain line.
  char bar[24] = "";
  if (tty_) {
    const int filled = static_cast<int>(20.0 * static_cast<double>(done) / static_cast<double>(total));
    bar[0] = '[';
    for (int i = 0; i < 20; ++i) bar[1 + i] = i < filled ? '#' : '.';
    bar[21] = ']';
    bar[22] = ' ';
    bar[23] = '\0';
  }
  std::fprintf(stderr, "%s%ssimulating: %lld / %lld paths (%3.0f%%), %.0f paths/s, ETA %.0f s%s", tty_ ? "\r" : "", bar,
               static_cast<long long>(done), static_cast<long long>(total), 100.0 * done / total, rate, eta,
               tty_ && !finished ? "   " : "\n");
  std::fflush(stderr);
}

void print_warnings(const std::vector<Problem>& warnings) {
  if (cluster_rank() != 0) return;
  for (const Problem& w : warnings) std::cerr << w.format() << "\n";
}

std::string thousands(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.0f", value);
  std::string digits(text), out;
  const bool negative = !digits.empty() && digits[0] == '-';
  if (negative) digits.erase(0, 1);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    out += digits[i];
    if ((digits.size() - i - 1) % 3 == 0 && i + 1 < digits.size()) out += ',';
  }
  return (negative ? "-" : "") + out;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace mppmc::app
