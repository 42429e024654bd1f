#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "io/history_csv.h"

using namespace mppmc;
using io::Period;
namespace fs = std::filesystem;

namespace {
const std::string kData = std::string(MPPMC_SOURCE_DIR) + "/scenarios/data/";

std::string write_file(const std::string& name, const std::string& text) {
  const fs::path dir = fs::temp_directory_path() / "mppmc_history_tests";
  fs::create_directories(dir);
  const fs::path path = dir / name;
  std::ofstream(path) << text;
  return path.string();
}

// The single problem a read raises (fails the test when there is none or several).
template <typename Read>
Problem problem_of(Read read) {
  try {
    read();
  } catch (const InputError& e) {
    REQUIRE(e.problems().size() == 1);
    return e.problems().front();
  }
  FAIL("no InputError");
  return {};
}
}  // namespace

TEST_CASE("history: periods parse as years, quarters and months", "[unit][io]") {
  CHECK(io::parse_period("2024") == Period{Period::Kind::year, 2024, 0});
  CHECK(io::parse_period("2024Q3") == Period{Period::Kind::quarter, 2024, 3});
  CHECK(io::parse_period("2024-Q3") == Period{Period::Kind::quarter, 2024, 3});
  CHECK(io::parse_period("2024-03") == Period{Period::Kind::month, 2024, 3});
  for (const char* bad : {"24", "2024-13", "2024Q5", "2024-3", "abcd", "2024-Q0", "999"})
    CHECK_FALSE(io::parse_period(bad));
  CHECK(io::parse_period("2024-12")->ordinal() + 1 == io::parse_period("2025-01")->ordinal());
  CHECK(io::parse_period("2024Q4")->ordinal() + 1 == io::parse_period("2025Q1")->ordinal());
  CHECK(io::parse_period("2024Q4")->text() == "2024-Q4");
}

TEST_CASE("history: the shipped files read as documented in scenarios/data/README.md", "[unit][io]") {
  const io::HistorySeries first =
      io::read_history_series(kData + "inflow_annual.csv", "first_applications", Period::Kind::year);
  REQUIRE(first.values.size() == 12);
  CHECK(first.periods.front().year == 2013);
  CHECK(first.values.front() == 9840);
  CHECK(first.values.back() == 32180);
  // No total for 2013 and 2014: the series starts in 2015.
  const io::HistorySeries total =
      io::read_history_series(kData + "inflow_annual.csv", "total_asylum_inflow", Period::Kind::year);
  REQUIRE(total.values.size() == 10);
  CHECK(total.periods.front().year == 2015);
  CHECK(total.lines.front() == 4);
  const io::HistorySeries quarters =
      io::read_history_series(kData + "inflow_quarterly_cbs.csv", "first_applications", Period::Kind::quarter);
  CHECK(quarters.values.size() == 48);
  CHECK(quarters.periods.back().text() == "2024-Q4");
  const io::HistorySeries months =
      io::read_history_series(kData + "inflow_monthly_cbs.csv", "first_applications", Period::Kind::month);
  CHECK(months.values.size() == 27);
  CHECK(months.periods.back().text() == "2020-03");
  // The tidy realised file: both series.
  const io::HistorySeries realised =
      io::read_history_series(kData + "realised.csv", "total_inflow", Period::Kind::year);
  CHECK(realised.values == total.values);
  const std::vector<io::TidyValue> tidy = io::read_tidy_csv(kData + "realised.csv");
  CHECK(tidy.size() == 22);
  // The published bands: total_asylum_inflow is mppmc's total_inflow; medio may be missing.
  const std::vector<io::PublishedBand> bands = io::read_published_bands(kData + "mpp_bands.csv");
  REQUIRE(bands.size() == 5);
  CHECK(bands[0].series == "total_inflow");
  CHECK(bands[0].edition == "2022-II");
  CHECK_FALSE(bands[0].medio);
  CHECK(*bands[1].medio == 67000);
  CHECK(format_year_month(bands[3].published) == "2024-04");
  CHECK_FALSE(bands[4].realised);
}

TEST_CASE("history: every bad input is refused at its file:line, naming the column", "[unit][io]") {
  const auto year = Period::Kind::year;
  SECTION("a gap in years (wide)") {
    const std::string path = write_file("gap.csv", "year,first_applications,source\n2019,1,a\n2020,2,b\n2022,3,c\n");
    const Problem p = problem_of([&] { io::read_history_series(path, "first_applications", year); });
    CHECK(p.where.file == path);
    CHECK(p.where.line == 4);
    CHECK(p.where.column == 1);
    CHECK(p.key_path == "year");
    CHECK(p.rule.find("gap") != std::string::npos);
  }
  SECTION("a gap in years (tidy)") {
    const std::string path = write_file("gap_tidy.csv", "series,period,value\nx,2019,1\nx,2021,2\n");
    const Problem p = problem_of([&] { io::read_tidy_csv(path); });
    CHECK(p.where.line == 3);
    CHECK(p.key_path == "period");
    CHECK(p.rule.find("gap") != std::string::npos);
  }
  SECTION("an empty cell between two values") {
    const std::string path = write_file("hole.csv", "year,a,b\n2019,1,1\n2020,,2\n2021,3,3\n");
    const Problem p = problem_of([&] { io::read_history_series(path, "a", year); });
    CHECK(p.where.line == 3);
    CHECK(p.where.column == 6);
    CHECK(p.key_path == "a");
    // The other column is complete and reads.
    CHECK(io::read_history_series(path, "b", year).values.size() == 3);
  }
  SECTION("a non-numeric value") {
    const std::string path = write_file("text.csv", "year,a\n2019,1\n2020,12k\n");
    const Problem p = problem_of([&] { io::read_history_series(path, "a", year); });
    CHECK(p.where.line == 3);
    CHECK(p.where.column == 6);
    CHECK(p.key_path == "a");
    CHECK(p.value == "12k");
    const std::string tidy = write_file("text_tidy.csv", "series,period,value\nx,2019,1\nx,2020,n/a\n");
    const Problem q = problem_of([&] { io::read_tidy_csv(tidy); });
    CHECK(q.where.line == 3);
    CHECK(q.where.column == 8);
    CHECK(q.key_path == "value");
  }
  SECTION("a year listed twice") {
    const std::string path = write_file("twice.csv", "year,a\n2019,1\n2020,2\n2020,3\n");
    const Problem p = problem_of([&] { io::read_history_series(path, "a", year); });
    CHECK(p.where.line == 4);
    CHECK(p.rule.find("listed twice (also at line 3)") != std::string::npos);
    const std::string tidy = write_file("twice_tidy.csv", "series,period,value\nx,2020,1\ny,2020,1\nx,2020,2\n");
    const Problem q = problem_of([&] { io::read_tidy_csv(tidy); });
    CHECK(q.where.line == 4);
    CHECK(q.rule.find("also at line 2") != std::string::npos);
  }
  SECTION("an empty file, or a header without rows") {
    const std::string empty = write_file("empty.csv", "");
    const Problem p = problem_of([&] { io::read_history_series(empty, "a", year); });
    CHECK(p.where.line == 1);
    CHECK(p.rule.find("empty") != std::string::npos);
    const std::string header = write_file("header.csv", "series,period,value\n");
    CHECK(problem_of([&] { io::read_tidy_csv(header); }).rule.find("no data rows") != std::string::npos);
  }
  SECTION("a missing column") {
    const std::string path = write_file("nocol.csv", "year,a\n2019,1\n");
    const Problem p = problem_of([&] { io::read_history_series(path, "first_applications", year); });
    CHECK(p.where.line == 1);
    CHECK(p.key_path == "first_applications");
    CHECK(p.rule.find("no such column") != std::string::npos);
    const std::string tidy = write_file("nocol_tidy.csv", "series,period,amount\nx,2019,1\n");
    CHECK(problem_of([&] { io::read_tidy_csv(tidy); }).key_path == "value");
    const std::string bands =
        write_file("nocol_bands.csv", "edition,published,target_year,series,minimum,maximum,realised\n");
    CHECK(problem_of([&] { io::read_published_bands(bands); }).key_path == "medio");
  }
  SECTION("a row with too few fields, a bad period, a file that is not a history") {
    const std::string path = write_file("short.csv", "series,period,value\nx,2019\n");
    CHECK(problem_of([&] { io::read_tidy_csv(path); }).where.line == 2);
    const std::string period = write_file("period.csv", "series,period,value\nx,2019-13,1\n");
    const Problem p = problem_of([&] { io::read_tidy_csv(period); });
    CHECK(p.key_path == "period");
    CHECK(p.value == "2019-13");
    const std::string other = write_file("other.csv", "when,a\n2019,1\n");
    CHECK(problem_of([&] { io::read_history_series(other, "a", year); }).key_path == "when");
    // A quarterly file asked for years.
    CHECK(problem_of([&] {
            io::read_history_series(kData + "inflow_quarterly_cbs.csv", "first_applications", year);
          }).rule.find("quarter") != std::string::npos);
  }
  SECTION("a published band out of order or listed twice") {
    const std::string head = "edition,published,target_year,series,minimum,medio,maximum,realised,notes\n";
    const std::string order =
        write_file("order.csv", head + "A,2023-04,2023,total_asylum_inflow,49000,80000,77000,,\n");
    const Problem p = problem_of([&] { io::read_published_bands(order); });
    CHECK(p.where.line == 2);
    CHECK(p.key_path == "medio");
    const std::string twice =
        write_file("bands_twice.csv", head + "A,2023-04,2023,x,1,2,3,,\nA,2023-04,2023,x,1,2,3,,\n");
    CHECK(problem_of([&] { io::read_published_bands(twice); }).where.line == 3);
    const std::string month = write_file("bands_month.csv", head + "A,April,2023,x,1,2,3,,\n");
    CHECK(problem_of([&] { io::read_published_bands(month); }).key_path == "published");
  }
  SECTION("every problem of a file at once") {
    const std::string path = write_file("many.csv", "series,period,value\nx,2019,a\nx,20x0,1\n,2021,1\n");
    try {
      io::read_tidy_csv(path);
      FAIL("no InputError");
    } catch (const InputError& e) {
      CHECK(e.problems().size() == 3);
    }
  }
}

TEST_CASE("history: quoted fields, CRLF line ends and blank lines", "[unit][io]") {
  const std::string path =
      write_file("quoted.csv", "year,a,source\r\n2019,1,\"IND, jaarcijfers \"\"2019\"\"\"\r\n\r\n2020, 2 ,x\r\n");
  const io::HistorySeries s = io::read_history_series(path, "a", Period::Kind::year);
  CHECK(s.values == std::vector<double>{1, 2});
  CHECK(s.lines == std::vector<int>{2, 4});
}
