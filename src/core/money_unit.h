#pragma once
// The one money unit a table or chart shows its amounts in (docs/cli.md, "Money units"):
// the largest of EUR, EUR thousand, EUR m and EUR bn that keeps the medio at or above 1 in
// magnitude. The same rule is implemented once in Python (scripts/mppmc_plotting.py,
// money_unit) for the charts and report.py; tests/python/test_money_unit.py pins both to the
// same cases.
#include <string>
#include <string_view>

namespace mppmc {

//! A money unit: amounts in EUR are divided by `divisor_eur` and shown with `decimals`.
struct MoneyUnit {
  double divisor_eur = 1.0;  //!< 1, 1e3, 1e6 or 1e9
  const char* name = "EUR";  //!< "EUR", "EUR thousand", "EUR m", "EUR bn"
  int decimals = 0;          //!< 0 for EUR, 1 for thousand and m, 2 for bn
};

//! True for a unit of euros: "EUR", "EUR/month", "EUR/year", ...
bool is_money(std::string_view unit);

//! The unit for amounts whose medio is `medio_eur` (one unit per table or chart: pass the medio
//! of largest magnitude shown). A zero or non-finite medio gives EUR.
MoneyUnit money_unit(double medio_eur);

//! `unit` with its leading "EUR" replaced by the money unit's name: "EUR/year" -> "EUR m/year".
std::string scaled_unit(const std::string& unit, const MoneyUnit& money);

//! `value` rounded to `decimals` with thousands separators: (4973912.4, 1) -> "4,973,912.4";
//! never "-0".
std::string grouped(double value, int decimals);

}  // namespace mppmc
