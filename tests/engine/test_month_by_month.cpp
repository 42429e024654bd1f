// The month-by-month driver (exact percentiles in one process) against the statistics of a run
// that keeps every path: bit for bit, for a baseline, a variant and their differences, on a
// scenario with partial years and measures; and a stopped run resumed from its checkpoint.
#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "engine/inputs.h"
#include "engine/simulation.h"
#include "io/scenario_reader.h"
#include "support.h"

using namespace mppmc;
using mppmc::testing::DriverRun;
using mppmc::testing::small_scenario;

namespace {

const std::vector<double> kPercents = {5, 10, 25, 50, 75, 90, 95};
const std::array<double, 3> kBand = {5, 50, 95};

Scenario variant_scenario() {
  std::vector<Problem> warnings;
  return io::read_scenario(std::string(MPPMC_SOURCE_DIR) + "/tests/data/variant.toml", warnings);
}

void check_same(const Summary& a, const Summary& b) {
  for (const bool monthly : {true, false}) {
    INFO((monthly ? "monthly" : "annual"));
    const ColumnStatistics& x = monthly ? a.monthly : a.annual;
    const ColumnStatistics& y = monthly ? b.monthly : b.annual;
    CHECK(x.quantiles == y.quantiles);  // vector ==: every double equal
    CHECK(x.band == y.band);
    CHECK(x.mean == y.mean);
    CHECK(x.std == y.std);
  }
}

}  // namespace

TEST_CASE("month by month: the statistics of a run that keeps every path, bit for bit", "[determinism][engine]") {
  const Scenario base = small_scenario();  // starts in March: a 10-month first year, an 8-month last one
  // Two kinds of variant: variant.toml changes parameters (it draws its own inputs); the other
  // only adds a measure (it takes the baseline's draws and draws its effect).
  const Scenario own_draws = variant_scenario();
  Scenario measures_only = base;
  measures_only.name = "measures only";
  measures_only.measures.push_back(own_draws.measures.at(0));
  CHECK_FALSE(InputPlan(own_draws).same_parameter_draws(InputPlan(base)));
  CHECK(InputPlan(measures_only).same_parameter_draws(InputPlan(base)));
  for (const Scenario* variant : std::array<const Scenario*, 2>{&own_draws, &measures_only}) {
    INFO("variant " << variant->name);
    SimulationSettings settings;
    settings.seed = 31;
    settings.paths = 2500;
    const SimulationResult b = simulate(base, settings);
    const SimulationResult v = simulate(*variant, settings);
    const Summary expect_base = summarize(b, kPercents, kBand);
    const Summary expect_variant = summarize(v, kPercents, kBand);
    const Summary expect_difference = summarize_difference(b, v, kPercents, kBand);
    for (const auto& [threads, block] : {std::pair{1, 256}, std::pair{3, 7}, std::pair{2, 5000}}) {
      INFO("threads " << threads << ", block size " << block);
      settings.threads = threads;
      settings.block_size = block;
      std::array<std::vector<double>, 2> inputs = {
          std::vector<double>(static_cast<std::size_t>(settings.paths) * b.input_names().size(), -1.0),
          std::vector<double>(static_cast<std::size_t>(settings.paths) * v.input_names().size(), -1.0)};
      const InputRowsSink sink = [&](std::size_t run, std::int64_t first, std::int64_t rows, const double* data) {
        const std::size_t width = (run == 0 ? b : v).input_names().size();
        std::copy(data, data + rows * width, inputs[run].begin() + first * width);
      };
      const RunOutput got = DriverRun{{&base, variant}, settings, QuantileMode::exact, false, kPercents, kBand, sink}();
      REQUIRE(got.runs.size() == 2);
      REQUIRE(got.differences.size() == 1);
      check_same(got.runs[0], expect_base);
      check_same(got.runs[1], expect_variant);
      check_same(got.differences[0], expect_difference);
      CHECK(inputs[0] == b.input_samples());
      CHECK(inputs[1] == v.input_samples());
    }
  }
}

TEST_CASE("month by month: a run stopped in its first or a later year and resumed equals an uninterrupted one",
          "[determinism][engine]") {
  const Scenario scenario = small_scenario();  // 30 months from March: years of 10, 12 and 8 months
  SimulationSettings settings;
  settings.seed = 5;
  settings.paths = 3000;
  settings.threads = 1;
  DriverRun month_by_month{{&scenario}, settings, QuantileMode::exact, false, kPercents, kBand};
  const RunOutput reference = month_by_month();

  const std::string checkpoint = (std::filesystem::temp_directory_path() / "mppmc_month_test.ckpt").string();
  // Progress is 40% for the draws and 60% for the 30 months: stopping at 45% lands in month 3
  // (the first year, where a checkpoint holds the year's running sums), at 75% in month 18.
  for (const double fraction : {0.45, 0.75}) {
    INFO("stopped at " << fraction << " of the progress");
    std::filesystem::remove(checkpoint);
    std::atomic<bool> stop{false};
    DriverRun stopped = month_by_month;
    stopped.checkpoint.path = checkpoint;
    stopped.checkpoint.interval_seconds = 0;  // only when stopped
    stopped.settings.stop = &stop;
    stopped.progress = [&](std::int64_t done, std::int64_t total) {
      if (static_cast<double>(done) >= fraction * static_cast<double>(total)) stop = true;
    };
    CHECK_THROWS_AS(stopped(), Interrupted);
    REQUIRE(std::filesystem::exists(checkpoint));
    stop = false;
    stopped.checkpoint.resume = true;
    stopped.settings.threads = 3;  // another thread count on the way back: the same numbers
    // A resumed run draws every path again (progress up to the draws' share) and then goes
    // straight on after the checkpoint's month: its progress jumps over the months done.
    std::int64_t previous = 0;
    bool jumped = false;
    stopped.progress = [&](std::int64_t done, std::int64_t total) {
      if (10 * previous <= 4 * total + 10 &&
          static_cast<double>(done) >= (fraction - 0.02) * static_cast<double>(total))
        jumped = true;
      previous = done;
    };
    const RunOutput resumed = stopped();
    CHECK(jumped);
    check_same(resumed.runs[0], reference.runs[0]);
  }
  // The last checkpoint (month 18, within the second year) stays for the checks below.
  month_by_month.checkpoint.path = checkpoint;
  month_by_month.checkpoint.interval_seconds = 0;
  month_by_month.checkpoint.resume = true;

  // A damaged checkpoint is refused before any of it is used: a block of 0xff in the
  // statistics (which would read as plausible numbers), one flipped bit, a lost last byte.
  const std::string damaged = checkpoint + ".damaged";
  const auto size = static_cast<std::size_t>(std::filesystem::file_size(checkpoint));
  const std::vector<std::function<void(std::string&)>> damages = {
      [](std::string& bytes) { std::fill_n(bytes.begin() + 104, 8, '\xff'); },
      [&](std::string& bytes) { bytes[size / 2] ^= 0x10; }, [](std::string& bytes) { bytes.pop_back(); }};
  for (std::size_t k = 0; k < damages.size(); ++k) {
    INFO("damage " << k);
    std::string bytes(size, '\0');
    std::ifstream(checkpoint, std::ios::binary).read(bytes.data(), static_cast<std::streamsize>(size));
    damages[k](bytes);
    std::ofstream(damaged, std::ios::binary | std::ios::trunc)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    DriverRun from_damaged = month_by_month;
    from_damaged.checkpoint.path = damaged;
    from_damaged.progress = {};
    try {
      from_damaged();
      FAIL("a damaged checkpoint was resumed from");
    } catch (const InputError& e) {
      CHECK(std::string(e.what()).find("truncated or damaged") != std::string::npos);
    }
  }
  std::filesystem::remove(damaged);

  month_by_month.progress = {};
  month_by_month.settings.seed += 1;  // other inputs: refused
  CHECK_THROWS_AS(month_by_month(), InputError);
  std::filesystem::remove(checkpoint);
}
