#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "io/scenario_reader.h"

using namespace mppmc;
namespace fs = std::filesystem;

namespace {
const std::string kData = std::string(MPPMC_SOURCE_DIR) + "/tests/data/";

// Writes `text` to a fresh file in a per-test temporary folder and returns its path.
std::string write_file(const std::string& name, const std::string& text) {
  const fs::path dir = fs::temp_directory_path() / "mppmc_reader_tests";
  fs::create_directories(dir);
  const fs::path path = dir / name;
  std::ofstream(path) << text;
  return path.string();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// small.toml with one line replaced.
std::string small_with(const std::string& from, const std::string& to) {
  std::string text = read_text(kData + "small.toml");
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  return text;
}

std::vector<Problem> problems_of(const std::string& path) {
  std::vector<Problem> warnings;
  try {
    io::read_scenario(path, warnings);
  } catch (const InputError& e) {
    return e.problems();
  }
  return {};
}
}  // namespace

TEST_CASE("reader: the shipped test scenario reads with normalised seasonality", "[unit][io]") {
  std::vector<Problem> warnings;
  const Scenario s = io::read_scenario(kData + "small.toml", warnings);
  CHECK(s.name == "test small");
  CHECK(s.horizon_months == 30);
  CHECK(format_year_month(s.start) == "2025-03");
  double sum = 0;
  for (double w : s.seasonality) sum += w;
  CHECK(sum == Approx(12.0).epsilon(1e-14));
  CHECK(s.seasonality[0] == Approx(0.8));  // the weights already sum to 12
  CHECK(s.measures.size() == 3);
  CHECK(s.correlations.size() == 2);
  CHECK(s.param(ParamId::ind_asylum_capacity_per_month).years == std::vector<int>{2025, 2026});
  CHECK(s.year_correlation == 0.7);
}

TEST_CASE("reader: extends replaces values whole, merges sections, appends measures", "[unit][io]") {
  std::vector<Problem> warnings;
  const Scenario s = io::read_scenario(kData + "variant.toml", warnings);
  CHECK(s.name == "test variant");
  CHECK(s.param(ParamId::ind_asylum_grant_rate).is_fixed());
  CHECK(s.param(ParamId::ind_asylum_grant_rate).at(2025).quantile(0.3) == 0.6);
  // housing.per_month was { 2025 = 2500, 2026 = ... } in the base; the variant's { 2026 = 3000 }
  // replaces it whole, so 2025 now takes the first (2026) entry.
  CHECK(s.param(ParamId::housing_per_month).years == std::vector<int>{2026});
  CHECK(s.param(ParamId::housing_per_month).at(2025).quantile(0.5) == 3000);
  // Sections merge: the base's other ind.asylum keys are still there.
  CHECK_FALSE(s.param(ParamId::ind_asylum_capacity_factor).is_fixed());
  REQUIRE(s.measures.size() == 4);
  CHECK(s.measures[0].name == "Restrict family reunification");
  CHECK(s.measures[3].name == "Extra IND work");
  // The base correlates grant_rate, now fixed: a warning, and the correlation is dropped.
  CHECK(s.correlations.size() == 1);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].rule.find("no effect") != std::string::npos);
  // The resolved text is self-contained and reads back to the same scenario.
  CHECK(s.resolved_toml.find("extends") == std::string::npos);
  const std::string resolved = write_file("resolved.toml", s.resolved_toml);
  std::vector<Problem> again_warnings;
  const Scenario again = io::read_scenario(resolved, again_warnings);
  CHECK(again.measures.size() == 4);
  CHECK(again.param(ParamId::housing_per_month).at(2025).quantile(0.5) == 3000);
}

TEST_CASE("reader: problems carry file line column key path value and rule", "[unit][io]") {
  const std::string path =
      write_file("bad_rate.toml", small_with("grant_rate = { dist = \"beta\", a = 30, b = 20 }",
                                             "grant_rate = { dist = \"uniform\", low = 0.5, high = 1.5 }"));
  const auto problems = problems_of(path);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].where.file == path);
  CHECK(problems[0].where.line == 30);
  CHECK(problems[0].where.column == 14);
  CHECK(problems[0].key_path == "ind.asylum.grant_rate");
  CHECK(problems[0].format().find(
            path +
            ":30:14: ind.asylum.grant_rate = { dist = \"uniform\", high = 1.5, low = 0.5 }: must stay within [0, 1]") ==
        0);
  CHECK(problems[0].rule.find("[0, 1]") != std::string::npos);
}

TEST_CASE("reader: every problem in a file is reported, not just the first", "[unit][io]") {
  std::string text = small_with("start = \"2025-03\"", "start = \"2025-13\"");
  text.replace(text.find("repeat_ratio"), 12, "repeat_ratoi");
  text.replace(text.find("horizon_months = 30"), 19, "horizon_months = \"30\"");
  text.replace(text.find("nareis_uptake = 0.5"), 19, "nareis_uptake = 1.5");
  text.replace(text.find("2027 = { dist = \"triangular\""), 4, "y27 ");
  text.replace(text.find("parameter = \"departure.monthly_rate\""), 36, "parameter = \"inflow.first.seasonality\"");
  text.replace(text.find("dist = \"pert\", low = 0.85"), 13, "dist = \"prt\" ");
  const auto problems = problems_of(write_file("many.toml", text));
  std::string all;
  for (const Problem& p : problems) all += p.format() + "\n";
  INFO(all);
  CHECK(all.find("scenario.start = \"2025-13\": must be a month written \"YYYY-MM\"") != std::string::npos);
  CHECK(all.find("inflow.repeat_ratoi") != std::string::npos);
  CHECK(all.find("did you mean 'inflow.repeat_ratio'?") != std::string::npos);
  // The misspelling is reported once: not also as the key it was meant to be gone missing.
  CHECK(all.find("inflow.repeat_ratio: required key is missing") == std::string::npos);
  CHECK(all.find("scenario.horizon_months = \"30\": must be an integer") != std::string::npos);
  CHECK(all.find("coa.nareis_uptake = 1.5: must be [0, 1]") != std::string::npos);
  CHECK(all.find("coa.regular_capacity.y27") != std::string::npos);
  CHECK(all.find("is fixed and cannot be changed by a measure") != std::string::npos);
  CHECK(all.find("did you mean \"pert\"?") != std::string::npos);
  CHECK(problems.size() == 7);
}

TEST_CASE("reader: distributions are checked field by field", "[unit][io]") {
  struct Case {
    std::string from, to, expect;
  };
  const Case cases[] = {
      {"low = 0.04, high = 0.08 }", "low = 0.08, high = 0.04 }", "must be greater than low"},
      {"a = 30, b = 20 }", "a = 30 }", "required field of dist = \"beta\" is missing"},
      {"a = 30, b = 20 }", "a = 30, b = 20, c = 1 }", "unknown field for dist = \"beta\""},
      {"a = 30, b = 20 }", "a = -1, b = 20 }", "must be > 0"},
      {"q = [30000, 45000, 52000], lower = 0", "q = [0, 45000, 45001]", "not a valid distribution"},
      {"q = [30000, 45000, 52000], lower = 0", "q = [30000, 45000]", "q has"},
      {"mode = 0.7, high = 0.85", "mode = 0.9, high = 0.85", "must lie in [low, high]"},
      {"apply_delay_months = 4", "apply_delay_months = 0.5", "must be >= 1"},
      {"capacity_factor = { dist = \"normal\", mean = 1.0, sd = 0.05, low = 0.7, high = 1.3 }",
       "capacity_factor = { dist = \"normal\", mean = 1.0, sd = 0.6 }", "draws fall outside >= 0"},
      {"capacity_factor = { dist = \"pert\"", "capacity_factor = { 2025 = { dist = \"pert\"", ""},
      {"repeat_ratio = { dist", "repeat_ratio = { 2025 = 0.1, distx", "is not a per-year parameter"},
      {"seasonality = [0.8, 0.7,", "seasonality = [0.7,", "must be a list of 12 weights"},
      {"seasonality = [0.8,", "seasonality = [0,", "must be > 0"},
      {"year_correlation = 0.7", "year_correlation = 1.7", "must be [-1, 1]"},
      {"ramp_months = 6", "ramp_months = -1", "must be between 0 and 1200"},
      {"start = \"2026-01\"\nramp_months = 3", "start = \"2026-1\"\nramp_months = 3", "must be a month written"},
      {"rank = 0.4", "rank = 1.4", "must be in [-1, 1]"},
      {"b = \"departure.monthly_rate\"", "b = \"coa.uptake\"", "cannot be correlated with itself"},
      {"b = \"nareis.persons_per_grant\"", "b = \"inflow.first.annual\"", "drawn per year"},
      {"b = \"nareis.persons_per_grant\"", "b = \"nareis.persons_per_grnt\"", "unknown parameter"},
      {"name = \"Deterrence\"", "name = \"Faster departures\"", "names must be unique"},
  };
  int k = 0;
  for (const Case& c : cases) {
    INFO("case: " << c.to);
    const auto problems = problems_of(write_file("case" + std::to_string(k++) + ".toml", small_with(c.from, c.to)));
    std::string all;
    for (const Problem& p : problems) all += p.format() + "\n";
    INFO(all);
    if (c.expect.empty()) {
      CHECK(problems.size() >= 1);  // a syntax or type error, whatever its wording
    } else {
      CHECK(all.find(c.expect) != std::string::npos);
    }
  }
}

TEST_CASE("reader: correlations whose matrix is not positive definite are refused, naming them", "[unit][io]") {
  const std::string text =
      small_with("rank = -0.3",
                 "rank = 0.9\n\n[[correlation]]\na = \"coa.uptake\"\nb = \"ind.asylum.grant_rate\"\nrank = "
                 "0.9\n\n[[correlation]]\na = \"departure.monthly_rate\"\nb = \"ind.asylum.grant_rate\"\nrank = -0.9");
  const auto problems = problems_of(write_file("not_pd.toml", text));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].rule.find("not positive definite") != std::string::npos);
  CHECK(problems[0].rule.find("coa.uptake ~ departure.monthly_rate") != std::string::npos);
}

TEST_CASE("reader: extends to a missing file, cycles and syntax errors are located", "[unit][io]") {
  const auto missing = problems_of(write_file("missing_base.toml", "[scenario]\nextends = \"nowhere.toml\"\n"));
  REQUIRE_FALSE(missing.empty());
  CHECK(missing[0].format().find("missing_base.toml:2:11: scenario.extends = \"nowhere.toml\": no such file") !=
        std::string::npos);

  write_file("cycle_a.toml", "[scenario]\nextends = \"cycle_b.toml\"\n");
  const auto cycle = problems_of(write_file("cycle_b.toml", "[scenario]\nextends = \"cycle_a.toml\"\n"));
  REQUIRE_FALSE(cycle.empty());
  CHECK(cycle[0].rule.find("cycle") != std::string::npos);

  const auto syntax = problems_of(write_file("syntax.toml", "[scenario]\nname = \"x\"\nstart = 2025-\n"));
  REQUIRE(syntax.size() == 1);
  CHECK(syntax[0].where.line == 3);
  CHECK(syntax[0].rule.find("TOML syntax error") == 0);

  const auto absent = problems_of("/nonexistent/scenario.toml");
  REQUIRE(absent.size() == 1);
  CHECK(absent[0].rule == "no such file");
}

TEST_CASE("reader: a nearly-negative unbounded tail is a warning, not an error", "[unit][io]") {
  // The spec's own example band: an unbounded metalog with P(Q < 0) of about 3e-4.
  const std::string text = small_with("q = [30000, 45000, 52000], lower = 0", "q = [37600, 57600, 66700]");
  std::vector<Problem> warnings;
  const Scenario s = io::read_scenario(write_file("warn.toml", text), warnings);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].warning);
  CHECK(warnings[0].key_path == "inflow.first.annual.2025");
  CHECK(warnings[0].rule.find("% of draws fall outside >= 0") != std::string::npos);
}

TEST_CASE("reader: a right key in the wrong table is pointed to its place", "[unit][io]") {
  // `extends` and `horizon_months` belong under [scenario]; at the top they are unknown, and
  // the message says where they go (no spelling is near enough for a "did you mean").
  const std::string path = write_file("misplaced.toml", "extends = \"base.toml\"\nhorizon_months = 12\n");
  std::string all;
  for (const Problem& p : problems_of(path)) all += p.format() + "\n";
  INFO(all);
  CHECK(all.find(":1:11: extends = \"base.toml\": unknown key; it belongs at 'scenario.extends'") != std::string::npos);
  CHECK(all.find(":2:18: horizon_months = 12: unknown key; it belongs at 'scenario.horizon_months'") !=
        std::string::npos);
}
