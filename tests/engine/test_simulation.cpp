#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>

#include "engine/chunked.h"
#include "engine/designs.h"
#include "engine/path_block.h"
#include "engine/simulation.h"
#include "io/scenario_reader.h"
#include "support.h"

using namespace mppmc;
using mppmc::testing::DriverRun;
using mppmc::testing::small_scenario;

namespace {

bool same_bits(const SimulationResult& a, const SimulationResult& b) {
  for (int s = 0; s < kSeriesCount; ++s) {
    for (int m = 0; m < a.months(); ++m)
      if (std::memcmp(a.monthly(static_cast<SeriesId>(s), m), b.monthly(static_cast<SeriesId>(s), m),
                      sizeof(double) * a.paths()) != 0)
        return false;
    for (int y = 0; y < a.years(); ++y)
      if (std::memcmp(a.annual(static_cast<SeriesId>(s), y), b.annual(static_cast<SeriesId>(s), y),
                      sizeof(double) * a.paths()) != 0)
        return false;
  }
  return a.input_samples() == b.input_samples();
}

}  // namespace

TEST_CASE("simulation: bit-for-bit the same for any thread count and block size", "[determinism][engine]") {
  const Scenario scenario = small_scenario();
  SimulationSettings settings;
  settings.seed = 77;
  settings.paths = 1000;
  settings.threads = 1;
  const SimulationResult reference = simulate(scenario, settings);
  for (int threads : {2, 4})
    for (int block : {1, 7, 256, 5000}) {
      settings.threads = threads;
      settings.block_size = block;
      INFO("threads " << threads << ", block size " << block);
      CHECK(same_bits(reference, simulate(scenario, settings)));
    }
  settings.seed = 78;
  CHECK_FALSE(same_bits(reference, simulate(scenario, settings)));
}

TEST_CASE("simulation: the first N paths do not depend on how many paths are run", "[determinism][engine]") {
  const Scenario scenario = small_scenario();
  SimulationSettings settings;
  settings.paths = 300;
  const SimulationResult short_run = simulate(scenario, settings);
  settings.paths = 1000;
  const SimulationResult long_run = simulate(scenario, settings);
  for (int m = 0; m < short_run.months(); ++m)
    CHECK(std::memcmp(short_run.monthly(SeriesId::coa_occupancy, m), long_run.monthly(SeriesId::coa_occupancy, m),
                      sizeof(double) * 300) == 0);
}

TEST_CASE("simulation: the spec's conservation laws hold on every path and month", "[engine][model]") {
  const Scenario scenario = small_scenario();
  SimulationSettings settings;
  settings.seed = 3;
  settings.paths = 400;
  const SimulationResult r = simulate(scenario, settings);
  const std::size_t k = r.input_names().size();
  const std::size_t uptake = testing::input_column(r, "coa.uptake");
  const std::size_t nareis_grant = testing::input_column(r, "ind.nareis.grant_rate");
  const std::size_t persons_per_grant = testing::input_column(r, "nareis.persons_per_grant");
  const std::size_t restrict_effect = testing::input_column(r, "measure[Restrict family reunification].effect");
  const double nareis_uptake = scenario.param(ParamId::coa_nareis_uptake).at(2025).quantile(0.5);
  const Measure& restrict = scenario.measures.at(0);
  REQUIRE(restrict.parameter == ParamId::nareis_persons_per_grant);
  using S = SeriesId;
  auto at = [&](S s, int m, std::int64_t i) { return r.monthly(s, m)[i]; };
  int checked = 0;
  for (std::int64_t i = 0; i < r.paths(); ++i) {
    const double* draws = &r.input_samples()[static_cast<std::size_t>(i) * k];
    double backlog = scenario.initial[static_cast<int>(InitialStock::ind_asylum_backlog)];
    double occupancy = scenario.initial[static_cast<int>(InitialStock::coa_in_procedure)] +
                       scenario.initial[static_cast<int>(InitialStock::coa_status_holders)] +
                       scenario.initial[static_cast<int>(InitialStock::coa_rejected)];
    double nareis = scenario.initial[static_cast<int>(InitialStock::nareis_potential)] +
                    scenario.initial[static_cast<int>(InitialStock::ind_nareis_backlog)] +
                    scenario.initial[static_cast<int>(InitialStock::nareis_pipeline)];
    for (int m = 0; m < r.months(); ++m) {
      const double asylum_in = at(S::inflow_first, m, i) + at(S::inflow_repeat, m, i);
      const double d_backlog = asylum_in - at(S::ind_asylum_decisions, m, i);
      const double d_occupancy = draws[uptake] * asylum_in + nareis_uptake * at(S::nareis_arrivals, m, i) -
                                 at(S::left_in_procedure, m, i) - at(S::housed, m, i) - at(S::departures, m, i);
      const double ppg = draws[persons_per_grant]* restrict.factor(scenario.month(m), draws[restrict_effect]);
      const double d_nareis = ppg * at(S::ind_asylum_grants, m, i) -
                              at(S::ind_nareis_decisions, m, i) * (1 - draws[nareis_grant]) -
                              at(S::nareis_arrivals, m, i);
      const double new_nareis =
          at(S::nareis_potential, m, i) + at(S::ind_nareis_backlog, m, i) + at(S::nareis_pipeline, m, i);
      // Rounding: a few ulps of the stocks involved (about 1e5 persons).
      CHECK(std::abs(at(S::ind_asylum_backlog, m, i) - backlog - d_backlog) < 1e-8);
      CHECK(std::abs(at(S::coa_occupancy, m, i) - occupancy - d_occupancy) < 1e-8);
      CHECK(std::abs(new_nareis - nareis - d_nareis) < 1e-8);
      CHECK(at(S::total_inflow, m, i) == asylum_in + at(S::nareis_arrivals, m, i));
      backlog = at(S::ind_asylum_backlog, m, i);
      occupancy = at(S::coa_occupancy, m, i);
      nareis = new_nareis;
      ++checked;
    }
  }
  CHECK(checked == 400 * 30);
}

TEST_CASE("simulation: annual values are monthly sums (flows) and year-end values (stocks)", "[engine]") {
  const Scenario scenario = small_scenario();
  SimulationSettings settings;
  settings.paths = 50;
  const SimulationResult r = simulate(scenario, settings);
  REQUIRE(scenario.months_in_year() == std::vector<int>{10, 12, 8});  // 2025-03 + 30 months
  for (std::int64_t i = 0; i < r.paths(); ++i) {
    double flow = 0;
    for (int m = 0; m < 10; ++m) flow += r.monthly(SeriesId::cost_total, m)[i];
    CHECK(r.annual(SeriesId::cost_total, 0)[i] == Approx(flow).epsilon(1e-14));
    CHECK(r.annual(SeriesId::coa_occupancy, 1)[i] == r.monthly(SeriesId::coa_occupancy, 21)[i]);
    CHECK(r.annual(SeriesId::coa_occupancy, 2)[i] == r.monthly(SeriesId::coa_occupancy, 29)[i]);
  }
}

TEST_CASE("simulation: deterministic runs put every input at its median", "[engine]") {
  const Scenario scenario = small_scenario();
  SimulationSettings settings;
  settings.paths = 3;
  settings.deterministic = true;
  const SimulationResult r = simulate(scenario, settings);
  const std::size_t k = r.input_names().size();
  CHECK(r.input_samples()[testing::input_column(r, "coa.uptake")] ==
        scenario.param(ParamId::coa_uptake).at(2025).median());
  CHECK(r.input_samples()[testing::input_column(r, "inflow.first.annual[2026]")] ==
        scenario.param(ParamId::inflow_first_annual).at(2026).median());
  CHECK(std::memcmp(&r.input_samples()[0], &r.input_samples()[k], k * sizeof(double)) == 0);
}

TEST_CASE("simulation: Latin hypercube and Sobol designs are bit-for-bit the same for any thread count",
          "[determinism][engine]") {
  const Scenario scenario = small_scenario();
  const InputPlan plan(scenario);
  for (Sampling sampling : {Sampling::lhs, Sampling::sobol}) {
    const SampledDesign design(plan, sampling, 5, 700);
    SimulationSettings settings;
    settings.seed = 5;
    settings.paths = 700;
    settings.design = &design;
    settings.threads = 1;
    const SimulationResult one = simulate(scenario, settings);
    settings.threads = 3;
    settings.block_size = 13;
    INFO(sampling_name(sampling));
    CHECK(same_bits(one, simulate(scenario, settings)));
  }
}

TEST_CASE("streaming: sketch percentiles within 1% of exact ones, same moments, any thread count",
          "[determinism][stat][engine]") {
  const Scenario scenario = small_scenario();
  const std::vector<double> percents = {5, 10, 25, 50, 75, 90, 95};
  const std::array<double, 3> band = {5, 50, 95};
  SimulationSettings settings;
  settings.seed = 21;
  settings.paths = 5000;  // three chunks, the last one partial
  const Summary exact = summarize(simulate(scenario, settings), percents, band);
  DriverRun sketch{{&scenario}, settings, QuantileMode::sketch, false, percents, band};
  sketch.sink = [&](std::size_t, std::int64_t, std::int64_t, const double*) {};
  sketch.settings.threads = 1;
  const RunOutput one = sketch();
  sketch.settings.threads = 3;
  sketch.settings.block_size = 100;
  const RunOutput three = sketch();
  for (const auto* pair : {&exact.monthly, &exact.annual}) {
    const bool monthly = pair == &exact.monthly;
    const ColumnStatistics& a = *pair;
    const ColumnStatistics& s1 = monthly ? one.runs[0].monthly : one.runs[0].annual;
    const ColumnStatistics& s3 = monthly ? three.runs[0].monthly : three.runs[0].annual;
    CHECK(s1.quantiles == s3.quantiles);  // bit for bit
    CHECK(s1.mean == s3.mean);
    CHECK(s1.std == s3.std);
    for (std::size_t k = 0; k < a.quantiles.size(); ++k)
      CHECK(std::abs(s1.quantiles[k] - a.quantiles[k]) <= 0.01 * std::abs(a.quantiles[k]) + 1e-6);
    for (std::size_t c = 0; c < a.mean.size(); ++c) {
      CHECK(s1.mean[c] == Approx(a.mean[c]).epsilon(1e-12).margin(1e-9));
      CHECK(s1.std[c] == Approx(a.std[c]).epsilon(1e-9).margin(1e-9));
    }
  }
}

TEST_CASE("streaming: a run stopped after a wave and resumed from its checkpoint equals an uninterrupted one",
          "[determinism][engine]") {
  Scenario scenario = small_scenario();
  scenario.horizon_months = 6;  // small columns: the test keeps every path
  const std::vector<double> percents = {5, 50, 95};
  const std::array<double, 3> band = {5, 50, 95};
  SimulationSettings settings;
  settings.seed = 8;
  settings.paths = 20 * detail::kStreamChunk + 100;  // more than one wave of chunks, a partial last chunk
  settings.threads = 2;
  const std::string checkpoint = (std::filesystem::temp_directory_path() / "mppmc_stream_test.ckpt").string();
  for (bool exact : {true, false}) {
    INFO((exact ? "exact" : "sketch"));
    std::filesystem::remove(checkpoint);
    // Exact keeps every path here (the all-paths driver), a sketch streams.
    DriverRun chunked{{&scenario}, settings, exact ? QuantileMode::exact : QuantileMode::sketch, exact, percents, band};
    const RunOutput reference = chunked();
    std::atomic<bool> stop{true};  // stop after the first wave
    chunked.checkpoint.path = checkpoint;
    chunked.checkpoint.interval_seconds = 0;
    chunked.settings.stop = &stop;
    CHECK_THROWS_AS(chunked(), Interrupted);
    REQUIRE(std::filesystem::exists(checkpoint));
    stop = false;
    chunked.checkpoint.resume = true;
    const RunOutput again = chunked();
    if (exact) {
      CHECK(same_bits(reference.results[0], again.results[0]));
    } else {
      CHECK(again.runs[0].monthly.quantiles == reference.runs[0].monthly.quantiles);
      CHECK(again.runs[0].annual.band == reference.runs[0].annual.band);
      CHECK(again.runs[0].monthly.mean == reference.runs[0].monthly.mean);
      CHECK(again.runs[0].annual.std == reference.runs[0].annual.std);
    }
    chunked.settings.seed += 1;  // other inputs: refused
    CHECK_THROWS_AS(chunked(), InputError);
  }
  std::filesystem::remove(checkpoint);
}

TEST_CASE("simulation: the finiteness check agrees with std::isfinite at every position", "[engine]") {
  const double inf = std::numeric_limits<double>::infinity();
  const double bad[] = {inf, -inf, std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::quiet_NaN(),
                        std::numeric_limits<double>::signaling_NaN()};
  // Finite values at the edges of the exponent range, both signs, zeros and subnormals.
  const double good[] = {0.0,
                         -0.0,
                         std::numeric_limits<double>::denorm_min(),
                         std::numeric_limits<double>::max(),
                         -std::numeric_limits<double>::max(),
                         std::numeric_limits<double>::min(),
                         1.0,
                         -3.5e300};
  for (int n = 1; n <= 19; ++n) {
    std::vector<double> x(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) x[static_cast<std::size_t>(i)] = good[static_cast<std::size_t>(i) % std::size(good)];
    CHECK(detail::all_finite(x.data(), n));
    for (int at = 0; at < n; ++at)
      for (const double b : bad) {
        std::vector<double> y = x;
        y[static_cast<std::size_t>(at)] = b;
        INFO("n = " << n << ", a " << b << " at " << at);
        CHECK_FALSE(detail::all_finite(y.data(), n));
      }
  }
}

TEST_CASE("simulation: a value that overflows stops the run and names the series, path and month", "[engine]") {
  Scenario scenario = small_scenario();
  SimulationSettings settings;
  settings.paths = 40;
  settings.block_size = 16;
  auto& cost = scenario.params[index(ParamId::cost_coa_per_place_year)];
  // Places x EUR 1e290 / 12 is finite on every path: no false alarm near the top of the range.
  cost = YearTable{{}, {Distribution::fixed(1e290)}};
  CHECK_NOTHROW(simulate(scenario, settings));
  // x EUR 1e306 overflows in the first month on every path.
  cost = YearTable{{}, {Distribution::fixed(1e306)}};
  try {
    simulate(scenario, settings);
    FAIL("no error");
  } catch (const RuntimeError& e) {
    const std::string what = e.what();
    CHECK(what.find("series cost_coa is inf on path ") != std::string::npos);
    CHECK(what.find(" in month 2025-03 ") != std::string::npos);
  }
}

TEST_CASE("streaming: a sketch run's checkpoint does not grow with the number of paths", "[engine]") {
  Scenario scenario = small_scenario();
  scenario.horizon_months = 6;
  const std::string checkpoint = (std::filesystem::temp_directory_path() / "mppmc_sketch_size.ckpt").string();
  std::vector<std::uintmax_t> sizes;
  for (const std::int64_t chunks : {20, 80}) {
    std::filesystem::remove(checkpoint);
    SimulationSettings settings;
    settings.seed = 3;
    settings.paths = chunks * detail::kStreamChunk;
    settings.threads = 2;
    std::atomic<bool> stop{true};  // stop after the first wave, writing the checkpoint
    settings.stop = &stop;
    DriverRun sketch{{&scenario}, settings, QuantileMode::sketch, false, {5, 50, 95}};
    sketch.checkpoint.path = checkpoint;
    sketch.checkpoint.interval_seconds = 0;
    CHECK_THROWS_AS(sketch(), Interrupted);
    REQUIRE(std::filesystem::exists(checkpoint));
    sizes.push_back(std::filesystem::file_size(checkpoint));
  }
  // Merged sketches and exact sums per column: the same size for 4 times the paths. (Keeping
  // each chunk's moments made it grow by 16 bytes per chunk and column.)
  CHECK(sizes[0] == sizes[1]);
  std::filesystem::remove(checkpoint);
}
