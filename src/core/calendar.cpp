#include "core/calendar.h"

#include <cstdio>

namespace mppmc {

std::optional<MonthIndex> parse_year_month(std::string_view text) {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  int value[2] = {0, 0};
  const std::string_view parts[2] = {text.substr(0, 4), text.substr(5, 2)};
  for (int i = 0; i < 2; ++i)
    for (char c : parts[i]) {
      if (c < '0' || c > '9') return std::nullopt;
      value[i] = value[i] * 10 + (c - '0');
    }
  const int year = value[0], month = value[1];
  if (year < 1000 || month < 1 || month > 12) return std::nullopt;
  return year * 12 + month - 1;
}

std::string format_year_month(MonthIndex month) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d", year_of(month), calendar_month_of(month));
  return buffer;
}

}  // namespace mppmc
