#include "core/money_unit.h"

#include <cmath>
#include <cstdio>

namespace mppmc {

bool is_money(std::string_view unit) {
  return unit.substr(0, 3) == "EUR";
}

MoneyUnit money_unit(double medio_eur) {
  // Largest first; the medio, not the max, decides so that a table of a skewed band does not
  // switch to billions for one far tail (MPP tables quote the medio).
  static const MoneyUnit kUnits[] = {{1e9, "EUR bn", 2}, {1e6, "EUR m", 1}, {1e3, "EUR thousand", 1}};
  const double magnitude = std::fabs(medio_eur);
  if (std::isfinite(magnitude))
    for (const MoneyUnit& u : kUnits)
      if (magnitude / u.divisor_eur >= 1.0) return u;
  return MoneyUnit{};
}

std::string scaled_unit(const std::string& unit, const MoneyUnit& money) {
  return is_money(unit) ? money.name + unit.substr(3) : unit;
}

std::string grouped(double value, int decimals) {
  char digits[64];
  std::snprintf(digits, sizeof digits, "%.*f", decimals, std::fabs(value));
  const std::string text(digits);
  const std::size_t point = text.find('.');
  const std::string whole = text.substr(0, point), fraction = point == std::string::npos ? "" : text.substr(point);
  std::string out;
  const std::size_t n = whole.size();
  for (std::size_t i = 0; i < n; ++i) {
    out += whole[i];
    if ((n - i - 1) % 3 == 0 && i + 1 < n) out += ',';
  }
  out += fraction;
  const bool zero = out.find_first_of("123456789") == std::string::npos;
  return (value < 0 && !zero ? "-" : "") + out;
}

}  // namespace mppmc
