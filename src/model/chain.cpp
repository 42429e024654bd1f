#include "model/chain.h"

#include <algorithm>

#include "core/simd.h"

namespace mppmc {

namespace {

// The month step, compiled twice (below): for the portable target and as an AVX2 twin that
// does the same IEEE operations four paths per instruction instead of two (core/simd.h).
[[gnu::always_inline]] inline void step_month_body(int n, const MonthInputs& in,
                                                   const std::array<double*, kInitialStockCount>& stock,
                                                   const std::array<double*, kSeriesCount>& out) {
  using P = ParamId;
  using S = SeriesId;
  // Every array is its own: __restrict lets the compiler keep values in registers across the
  // stores (without it, each store might alias the next load). GCC does not use __restrict on
  // local pointers to prove the loop's iterations independent, so `ivdep` below says so; with
  // -fno-trapping-math on this file (CMakeLists.txt) the loop is then vectorised.
  auto par = [&](P id) { return in.param[index(id)]; };
  auto st = [&](InitialStock s) { return stock[static_cast<int>(s)]; };
  auto o = [&](S id) { return out[index(id)]; };

  const double* __restrict first_in = in.first;
  const double* __restrict repeat_ratio = par(P::inflow_repeat_ratio);
  const double* __restrict asylum_capacity = par(P::ind_asylum_capacity_per_month);
  const double* __restrict asylum_capacity_factor = par(P::ind_asylum_capacity_factor);
  const double* __restrict asylum_grant_rate = par(P::ind_asylum_grant_rate);
  const double* __restrict nareis_capacity = par(P::ind_nareis_capacity_per_month);
  const double* __restrict nareis_grant_rate = par(P::ind_nareis_grant_rate);
  const double* __restrict persons_per_grant = par(P::nareis_persons_per_grant);
  const double* __restrict apply_delay = par(P::nareis_apply_delay_months);
  const double* __restrict arrival_delay = par(P::nareis_arrival_delay_months);
  const double* __restrict uptake = par(P::coa_uptake);
  const double* __restrict nareis_uptake = par(P::coa_nareis_uptake);
  const double* __restrict leave_rate = par(P::coa_leave_in_procedure_rate);
  const double* __restrict housing = par(P::housing_per_month);
  const double* __restrict housing_factor = par(P::housing_capacity_factor);
  const double* __restrict departure_rate = par(P::departure_monthly_rate);
  const double* __restrict regular_capacity = par(P::coa_regular_capacity);
  const double* __restrict target_occupancy = par(P::coa_target_occupancy_rate);
  const double* __restrict cost_regular = par(P::cost_coa_per_place_year);
  const double* __restrict cost_emergency = par(P::cost_coa_emergency_per_place_year);
  const double* __restrict cost_asylum_decision = par(P::cost_ind_per_asylum_decision);
  const double* __restrict cost_nareis_decision = par(P::cost_ind_per_nareis_decision);

  double* __restrict asylum_backlog = st(InitialStock::ind_asylum_backlog);
  double* __restrict nareis_backlog = st(InitialStock::ind_nareis_backlog);
  double* __restrict potential = st(InitialStock::nareis_potential);
  double* __restrict pipeline = st(InitialStock::nareis_pipeline);
  double* __restrict in_procedure = st(InitialStock::coa_in_procedure);
  double* __restrict status_holders = st(InitialStock::coa_status_holders);
  double* __restrict rejected = st(InitialStock::coa_rejected);

  double* __restrict out_first = o(S::inflow_first);
  double* __restrict out_repeat = o(S::inflow_repeat);
  double* __restrict out_arrivals = o(S::nareis_arrivals);
  double* __restrict out_total_inflow = o(S::total_inflow);
  double* __restrict out_decisions = o(S::ind_asylum_decisions);
  double* __restrict out_grants = o(S::ind_asylum_grants);
  double* __restrict out_applications = o(S::ind_nareis_applications);
  double* __restrict out_nareis_decisions = o(S::ind_nareis_decisions);
  double* __restrict out_housed = o(S::housed);
  double* __restrict out_departures = o(S::departures);
  double* __restrict out_left = o(S::left_in_procedure);
  double* __restrict out_cost_coa = o(S::cost_coa);
  double* __restrict out_cost_ind = o(S::cost_ind);
  double* __restrict out_cost_total = o(S::cost_total);
  double* __restrict out_asylum_backlog = o(S::ind_asylum_backlog);
  double* __restrict out_nareis_backlog = o(S::ind_nareis_backlog);
  double* __restrict out_potential = o(S::nareis_potential);
  double* __restrict out_pipeline = o(S::nareis_pipeline);
  double* __restrict out_in_procedure = o(S::coa_in_procedure);
  double* __restrict out_status_holders = o(S::coa_status_holders);
  double* __restrict out_rejected = o(S::coa_rejected);
  double* __restrict out_occupancy = o(S::coa_occupancy);
  double* __restrict out_emergency = o(S::coa_emergency);
  double* __restrict out_places_needed = o(S::coa_places_needed);

#pragma GCC ivdep
  for (int i = 0; i < n; ++i) {
    // 1. First inflow (computed by the caller: level, seasonality, noise, measures).
    const double first = first_in[i];
    const double repeat = first * repeat_ratio[i];

    // 2. Nareis: first-order delays from grant to application and from decision to arrival.
    double nareis_potential = potential[i];
    const double applications = nareis_potential / apply_delay[i];
    nareis_potential -= applications;
    double backlog_nareis = nareis_backlog[i] + applications;
    const double nareis_decisions = std::min(backlog_nareis, nareis_capacity[i]);
    backlog_nareis -= nareis_decisions;
    double nareis_pipeline = pipeline[i] + nareis_decisions * nareis_grant_rate[i];
    const double arrivals = nareis_pipeline / arrival_delay[i];
    nareis_pipeline -= arrivals;

    // 3. Asylum applications.
    const double asylum_in = first + repeat;
    const double backlog = asylum_backlog[i] + asylum_in;
    const double reception = in_procedure[i] + uptake[i] * asylum_in;

    // 4. IND asylum decisions; decided cases in reception move between reception stocks.
    const double decisions = std::min(backlog, asylum_capacity[i] * asylum_capacity_factor[i]);
    const double grants = decisions * asylum_grant_rate[i];
    const double rejections = decisions - grants;
    // h = C / B, capped at 1; 0 when B = 0. The division is unconditional (on a safe divisor)
    // so that the loop has no branch and vectorises.
    const double safe_backlog = backlog > 0.0 ? backlog : 1.0;
    const double reception_share = backlog > 0.0 ? std::min(reception / safe_backlog, 1.0) : 0.0;
    const double backlog_after = backlog - decisions;
    double procedure = reception - reception_share * decisions;
    double holders = status_holders[i] + reception_share * grants;
    double rejected_now = rejected[i] + reception_share * rejections;
    nareis_potential += persons_per_grant[i] * grants;

    // 5. Leaving reception during the procedure.
    const double left = leave_rate[i] * procedure;
    procedure -= left;

    // 6. Housing of status holders.
    holders += nareis_uptake[i] * arrivals;
    const double housed = std::min(holders, housing[i] * housing_factor[i]);
    holders -= housed;

    // 7. Departure of rejected residents.
    const double departures = departure_rate[i] * rejected_now;
    rejected_now -= departures;

    // 8. Totals and cost (EUR per month).
    const double occupancy = procedure + holders + rejected_now;
    const double emergency = std::max(0.0, occupancy - regular_capacity[i]);
    const double cost_coa = ((occupancy - emergency) * cost_regular[i] + emergency * cost_emergency[i]) / 12.0;
    const double cost_ind = decisions * cost_asylum_decision[i] + nareis_decisions * cost_nareis_decision[i];

    potential[i] = nareis_potential;
    nareis_backlog[i] = backlog_nareis;
    pipeline[i] = nareis_pipeline;
    asylum_backlog[i] = backlog_after;
    in_procedure[i] = procedure;
    status_holders[i] = holders;
    rejected[i] = rejected_now;

    out_first[i] = first;
    out_repeat[i] = repeat;
    out_arrivals[i] = arrivals;
    out_total_inflow[i] = first + repeat + arrivals;
    out_decisions[i] = decisions;
    out_grants[i] = grants;
    out_applications[i] = applications;
    out_nareis_decisions[i] = nareis_decisions;
    out_housed[i] = housed;
    out_departures[i] = departures;
    out_left[i] = left;
    out_cost_coa[i] = cost_coa;
    out_cost_ind[i] = cost_ind;
    out_cost_total[i] = cost_coa + cost_ind;
    out_asylum_backlog[i] = backlog_after;
    out_nareis_backlog[i] = backlog_nareis;
    out_potential[i] = nareis_potential;
    out_pipeline[i] = nareis_pipeline;
    out_in_procedure[i] = procedure;
    out_status_holders[i] = holders;
    out_rejected[i] = rejected_now;
    out_occupancy[i] = occupancy;
    out_emergency[i] = emergency;
    out_places_needed[i] = occupancy / target_occupancy[i];
  }
}

void step_month_portable(int n, const MonthInputs& in, const std::array<double*, kInitialStockCount>& stock,
                         const std::array<double*, kSeriesCount>& out) {
  step_month_body(n, in, stock, out);
}

[[gnu::target("avx2")]] void step_month_avx2(int n, const MonthInputs& in,
                                             const std::array<double*, kInitialStockCount>& stock,
                                             const std::array<double*, kSeriesCount>& out) {
  step_month_body(n, in, stock, out);
}

}  // namespace

void step_month(int n, const MonthInputs& in, const std::array<double*, kInitialStockCount>& stock,
                const std::array<double*, kSeriesCount>& out) {
  if (use_avx2())
    step_month_avx2(n, in, stock, out);
  else
    step_month_portable(n, in, stock, out);
}

}  // namespace mppmc
