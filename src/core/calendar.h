#pragma once
// Calendar months as the model counts them: a month is an integer index (year * 12 + month - 1),
// so that month arithmetic is integer arithmetic and "YYYY-MM" is only a presentation.
#include <optional>
#include <string>
#include <string_view>

namespace mppmc {

//! Absolute month index: year * 12 + (month - 1). 2025-01 is 24300.
using MonthIndex = int;
//! 9999-12: the last month that "YYYY-MM" can write, so the last month of any horizon.
inline constexpr MonthIndex kLastMonth = 9999 * 12 + 11;

//! Parses "YYYY-MM" (four-digit year 1000-9999, month 01-12); nullopt for anything else.
std::optional<MonthIndex> parse_year_month(std::string_view text);
//! Formats a month index as "YYYY-MM".
std::string format_year_month(MonthIndex month);
inline int year_of(MonthIndex month) {
  return month / 12;
}
//! Calendar month 1..12.
inline int calendar_month_of(MonthIndex month) {
  return month % 12 + 1;
}

}  // namespace mppmc
