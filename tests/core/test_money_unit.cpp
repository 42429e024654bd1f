#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "core/money_unit.h"

using namespace mppmc;

// The cases tests/python/test_money_unit.py pins the Python rule (scripts/mppmc_plotting.py) to.
TEST_CASE("money unit: the largest of EUR, thousand, m, bn that keeps the medio at or above 1", "[unit]") {
  CHECK(std::string(money_unit(0).name) == "EUR");
  CHECK(std::string(money_unit(999.99).name) == "EUR");
  CHECK(std::string(money_unit(1000).name) == "EUR thousand");
  CHECK(std::string(money_unit(-250000).name) == "EUR thousand");
  CHECK(std::string(money_unit(999999).name) == "EUR thousand");
  CHECK(std::string(money_unit(1e6).name) == "EUR m");
  CHECK(std::string(money_unit(4.97e8).name) == "EUR m");
  CHECK(std::string(money_unit(5.05e9).name) == "EUR bn");
  CHECK(std::string(money_unit(-3e12).name) == "EUR bn");
  CHECK(std::string(money_unit(std::nan("")).name) == "EUR");
  CHECK(money_unit(5.05e9).divisor_eur == 1e9);
  CHECK(money_unit(5.05e9).decimals == 2);
  CHECK(money_unit(4.97e8).decimals == 1);
}

TEST_CASE("money unit: the unit's name replaces EUR, other units stay", "[unit]") {
  CHECK(scaled_unit("EUR/year", money_unit(5e9)) == "EUR bn/year");
  CHECK(scaled_unit("EUR", money_unit(5e6)) == "EUR m");
  CHECK(scaled_unit("persons", money_unit(5e9)) == "persons");
  CHECK(is_money("EUR/month"));
  CHECK_FALSE(is_money("persons/year"));
}

TEST_CASE("money unit: grouped numbers with decimals and no negative zero", "[unit]") {
  CHECK(grouped(4973912.44, 1) == "4,973,912.4");
  CHECK(grouped(57600.4, 0) == "57,600");
  CHECK(grouped(-1234.5, 2) == "-1,234.50");
  CHECK(grouped(-0.001, 1) == "0.0");
  CHECK(grouped(999.96, 1) == "1,000.0");
}
