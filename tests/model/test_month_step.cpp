#include <array>
#include <catch2/catch.hpp>
#include <vector>

#include "model/chain.h"
#include "model/scenario.h"

using namespace mppmc;
using Catch::Matchers::WithinRel;

namespace {
struct OneMonth {
  std::array<double, kParamCount> value{};
  double first = 0;
  std::array<double, kInitialStockCount> stock{};
  std::array<double, kSeriesCount> out{};

  void step() {
    MonthInputs in;
    in.first = &first;
    for (int p = 0; p < kParamCount; ++p) in.param[p] = &value[p];
    std::array<double*, kInitialStockCount> s;
    for (int k = 0; k < kInitialStockCount; ++k) s[k] = &stock[k];
    std::array<double*, kSeriesCount> o;
    for (int k = 0; k < kSeriesCount; ++k) o[k] = &out[k];
    step_month(1, in, s, o);
  }
  double& par(ParamId id) { return value[index(id)]; }
  double& st(InitialStock s) { return stock[static_cast<int>(s)]; }
  double get(SeriesId id) const { return out[index(id)]; }
};
}  // namespace

TEST_CASE("month step: one month computed by hand", "[unit][model]") {
  OneMonth m;
  using P = ParamId;
  using S = SeriesId;
  m.first = 1200;
  m.par(P::inflow_repeat_ratio) = 0.05;
  m.par(P::ind_asylum_capacity_per_month) = 1000;
  m.par(P::ind_asylum_capacity_factor) = 1.2;
  m.par(P::ind_asylum_grant_rate) = 0.75;
  m.par(P::ind_nareis_capacity_per_month) = 600;
  m.par(P::ind_nareis_grant_rate) = 0.5;
  m.par(P::nareis_persons_per_grant) = 0.8;
  m.par(P::nareis_apply_delay_months) = 4;
  m.par(P::nareis_arrival_delay_months) = 5;
  m.par(P::coa_uptake) = 0.9;
  m.par(P::coa_nareis_uptake) = 0.5;
  m.par(P::coa_leave_in_procedure_rate) = 0.01;
  m.par(P::housing_per_month) = 1000;
  m.par(P::housing_capacity_factor) = 1.0;
  m.par(P::departure_monthly_rate) = 0.1;
  m.par(P::coa_regular_capacity) = 2500;
  m.par(P::coa_target_occupancy_rate) = 0.9;
  m.par(P::cost_coa_per_place_year) = 30000;
  m.par(P::cost_coa_emergency_per_place_year) = 60000;
  m.par(P::cost_ind_per_asylum_decision) = 9000;
  m.par(P::cost_ind_per_nareis_decision) = 3500;
  m.st(InitialStock::ind_asylum_backlog) = 2000;
  m.st(InitialStock::ind_nareis_backlog) = 500;
  m.st(InitialStock::nareis_potential) = 1000;
  m.st(InitialStock::nareis_pipeline) = 200;
  m.st(InitialStock::coa_in_procedure) = 1500;
  m.st(InitialStock::coa_status_holders) = 800;
  m.st(InitialStock::coa_rejected) = 400;
  m.step();

  // By hand, following docs/model-spec.md step by step:
  // 1. repeat = 1200 * 0.05 = 60.
  // 2. applications = 1000 / 4 = 250; nareis backlog 500 + 250 = 750, decisions min(750, 600) = 600,
  //    backlog 150; positive 300, pipeline 200 + 300 = 500, arrivals 500 / 5 = 100, pipeline 400.
  // 3. asylum_in 1260; backlog 3260; in procedure 1500 + 0.9 * 1260 = 2634.
  // 4. decisions min(3260, 1200) = 1200, grants 900, rejections 300, h = 2634 / 3260.
  const double h = 2634.0 / 3260.0;
  const double in_procedure_after_decisions = 2634.0 - h * 1200.0;
  // 5. left = 0.01 * that.
  const double left = 0.01 * in_procedure_after_decisions;
  // 6. status holders 800 + 900 h + 0.5 * 100, housed min(., 1000) = 1000.
  const double status_holders = 800.0 + h * 900.0 + 50.0 - 1000.0;
  // 7. departures 0.1 * (400 + 300 h).
  const double rejected_before = 400.0 + h * 300.0;
  const double departures = 0.1 * rejected_before;
  // 8. occupancy, emergency beyond 2500, cost.
  const double occupancy = (in_procedure_after_decisions - left) + status_holders + (rejected_before - departures);
  const double emergency = occupancy - 2500.0;

  CHECK(m.get(S::inflow_first) == 1200);
  CHECK_THAT(m.get(S::inflow_repeat), WithinRel(60.0, 1e-15));
  CHECK(m.get(S::ind_nareis_applications) == 250);
  CHECK(m.get(S::ind_nareis_decisions) == 600);
  CHECK(m.get(S::ind_nareis_backlog) == 150);
  CHECK(m.get(S::nareis_arrivals) == 100);
  CHECK(m.get(S::nareis_pipeline) == 400);
  CHECK_THAT(m.get(S::total_inflow), WithinRel(1360.0, 1e-15));
  CHECK_THAT(m.get(S::ind_asylum_decisions), WithinRel(1200.0, 1e-15));
  CHECK_THAT(m.get(S::ind_asylum_grants), WithinRel(900.0, 1e-15));
  CHECK_THAT(m.get(S::ind_asylum_backlog), WithinRel(2060.0, 1e-15));
  CHECK_THAT(m.get(S::nareis_potential), WithinRel(750.0 + 720.0, 1e-15));
  CHECK_THAT(m.get(S::left_in_procedure), WithinRel(left, 1e-13));
  CHECK_THAT(m.get(S::coa_in_procedure), WithinRel(in_procedure_after_decisions - left, 1e-13));
  CHECK(m.get(S::housed) == 1000);
  CHECK_THAT(m.get(S::coa_status_holders), WithinRel(status_holders, 1e-13));
  CHECK_THAT(m.get(S::departures), WithinRel(departures, 1e-13));
  CHECK_THAT(m.get(S::coa_rejected), WithinRel(rejected_before - departures, 1e-13));
  CHECK_THAT(m.get(S::coa_occupancy), WithinRel(occupancy, 1e-13));
  CHECK_THAT(m.get(S::coa_emergency), WithinRel(emergency, 1e-12));
  CHECK_THAT(m.get(S::coa_places_needed), WithinRel(occupancy / 0.9, 1e-13));
  CHECK_THAT(m.get(S::cost_coa), WithinRel((2500.0 * 30000 + emergency * 60000) / 12, 1e-13));
  CHECK_THAT(m.get(S::cost_ind), WithinRel(1200.0 * 9000 + 600.0 * 3500, 1e-15));
  CHECK_THAT(m.get(S::cost_total), WithinRel(m.get(S::cost_coa) + m.get(S::cost_ind), 1e-15));
}

TEST_CASE("month step: decisions never exceed the backlog; an empty backlog moves nobody", "[unit][model]") {
  OneMonth m;
  for (auto& v : m.value) v = 1.0;
  m.par(ParamId::ind_asylum_capacity_per_month) = 5000;
  m.par(ParamId::ind_asylum_grant_rate) = 0.5;
  m.par(ParamId::coa_target_occupancy_rate) = 1.0;
  m.st(InitialStock::ind_asylum_backlog) = 30;
  m.first = 0;
  m.par(ParamId::inflow_repeat_ratio) = 0;
  m.step();
  CHECK(m.get(SeriesId::ind_asylum_decisions) == 30);
  CHECK(m.get(SeriesId::ind_asylum_backlog) == 0);

  OneMonth empty;
  for (auto& v : empty.value) v = 1.0;
  empty.st(InitialStock::coa_in_procedure) = 100;  // reception residents but no IND case: h = 0
  empty.par(ParamId::coa_leave_in_procedure_rate) = 0;
  empty.step();
  CHECK(empty.get(SeriesId::ind_asylum_decisions) == 0);
  CHECK(empty.get(SeriesId::coa_in_procedure) == 100);
  CHECK(empty.get(SeriesId::coa_status_holders) == 0);
}

TEST_CASE("measures: factor 1 before the start, ramps linearly, then holds the effect", "[unit][model]") {
  Measure m{"m", ParamId::coa_uptake, 24300, 4, Distribution::fixed(0.6)};
  CHECK(m.factor(24299, 0.6) == 1.0);
  CHECK_THAT(m.factor(24300, 0.6), WithinRel(1 - 0.4 * 0.25, 1e-15));  // k = 0: (k+1)/ramp = 1/4
  CHECK_THAT(m.factor(24302, 0.6), WithinRel(1 - 0.4 * 0.75, 1e-15));
  CHECK(m.factor(24303, 0.6) == 0.6);
  CHECK(m.factor(24400, 0.6) == 0.6);
  m.ramp_months = 0;
  CHECK(m.factor(24300, 0.6) == 0.6);
}

TEST_CASE("per-year tables: latest listed year <= y; earlier years take the first entry", "[unit][model]") {
  YearTable t;
  t.years = {2025, 2027};
  t.values = {Distribution::fixed(1), Distribution::fixed(2)};
  CHECK(t.at(2020).quantile(0.5) == 1);
  CHECK(t.at(2025).quantile(0.5) == 1);
  CHECK(t.at(2026).quantile(0.5) == 1);
  CHECK(t.at(2027).quantile(0.5) == 2);
  CHECK(t.at(2040).quantile(0.5) == 2);
}
