#include "model/chain.h"

#include <algorithm>

namespace mppmc {

void step_month(int n, const MonthInputs& in, const std::array<double*, kInitialStockCount>& stock,
                const std::array<double*, kSeriesCount>& out) {
  using P = ParamId;
  using S = SeriesId;
  auto par = [&](P id) { return in.param[index(id)]; };
  auto st = [&](InitialStock s) { return stock[static_cast<int>(s)]; };
  auto o = [&](S id) { return out[index(id)]; };

  const double* repeat_ratio = par(P::inflow_repeat_ratio);
  const double* asylum_capacity = par(P::ind_asylum_capacity_per_month);
  const double* asylum_capacity_factor = par(P::ind_asylum_capacity_factor);
  const double* asylum_grant_rate = par(P::ind_asylum_grant_rate);
  const double* nareis_capacity = par(P::ind_nareis_capacity_per_month);
  const double* nareis_grant_rate = par(P::ind_nareis_grant_rate);
  const double* persons_per_grant = par(P::nareis_persons_per_grant);
  const double* apply_delay = par(P::nareis_apply_delay_months);
  const double* arrival_delay = par(P::nareis_arrival_delay_months);
  const double* uptake = par(P::coa_uptake);
  const double* nareis_uptake = par(P::coa_nareis_uptake);
  const double* leave_rate = par(P::coa_leave_in_procedure_rate);
  const double* housing = par(P::housing_per_month);
  const double* housing_factor = par(P::housing_capacity_factor);
  const double* departure_rate = par(P::departure_monthly_rate);
  const double* regular_capacity = par(P::coa_regular_capacity);
  const double* target_occupancy = par(P::coa_target_occupancy_rate);
  const double* cost_regular = par(P::cost_coa_per_place_year);
  const double* cost_emergency = par(P::cost_coa_emergency_per_place_year);
  const double* cost_asylum_decision = par(P::cost_ind_per_asylum_decision);
  const double* cost_nareis_decision = par(P::cost_ind_per_nareis_decision);

  double* asylum_backlog = st(InitialStock::ind_asylum_backlog);
  double* nareis_backlog = st(InitialStock::ind_nareis_backlog);
  double* potential = st(InitialStock::nareis_potential);
  double* pipeline = st(InitialStock::nareis_pipeline);
  double* in_procedure = st(InitialStock::coa_in_procedure);
  double* status_holders = st(InitialStock::coa_status_holders);
  double* rejected = st(InitialStock::coa_rejected);

  for (int i = 0; i < n; ++i) {
    // 1. First inflow (computed by the caller: level, seasonality, noise, measures).
    const double first = in.first[i];
    const double repeat = first * repeat_ratio[i];

    // 2. Nareis: first-order delays from grant to application and from decision to arrival.
    const double applications = potential[i] / apply_delay[i];
    potential[i] -= applications;
    nareis_backlog[i] += applications;
    const double nareis_decisions = std::min(nareis_backlog[i], nareis_capacity[i]);
    nareis_backlog[i] -= nareis_decisions;
    pipeline[i] += nareis_decisions * nareis_grant_rate[i];
    const double arrivals = pipeline[i] / arrival_delay[i];
    pipeline[i] -= arrivals;

    // 3. Asylum applications.
    const double asylum_in = first + repeat;
    asylum_backlog[i] += asylum_in;
    in_procedure[i] += uptake[i] * asylum_in;

    // 4. IND asylum decisions; decided cases in reception move between reception stocks.
    const double backlog = asylum_backlog[i];
    const double reception = in_procedure[i];
    const double decisions = std::min(backlog, asylum_capacity[i] * asylum_capacity_factor[i]);
    const double grants = decisions * asylum_grant_rate[i];
    const double rejections = decisions - grants;
    const double reception_share = backlog > 0.0 ? std::min(reception / backlog, 1.0) : 0.0;
    asylum_backlog[i] = backlog - decisions;
    in_procedure[i] = reception - reception_share * decisions;
    status_holders[i] += reception_share * grants;
    rejected[i] += reception_share * rejections;
    potential[i] += persons_per_grant[i] * grants;

    // 5. Leaving reception during the procedure.
    const double left = leave_rate[i] * in_procedure[i];
    in_procedure[i] -= left;

    // 6. Housing of status holders.
    status_holders[i] += nareis_uptake[i] * arrivals;
    const double housed = std::min(status_holders[i], housing[i] * housing_factor[i]);
    status_holders[i] -= housed;

    // 7. Departure of rejected residents.
    const double departures = departure_rate[i] * rejected[i];
    rejected[i] -= departures;

    // 8. Totals and cost (EUR per month).
    const double occupancy = in_procedure[i] + status_holders[i] + rejected[i];
    const double emergency = std::max(0.0, occupancy - regular_capacity[i]);
    const double cost_coa =
        ((occupancy - emergency) * cost_regular[i] + emergency * cost_emergency[i]) / 12.0;
    const double cost_ind = decisions * cost_asylum_decision[i] + nareis_decisions * cost_nareis_decision[i];

    o(S::inflow_first)[i] = first;
    o(S::inflow_repeat)[i] = repeat;
    o(S::nareis_arrivals)[i] = arrivals;
    o(S::total_inflow)[i] = first + repeat + arrivals;
    o(S::ind_asylum_decisions)[i] = decisions;
    o(S::ind_asylum_grants)[i] = grants;
    o(S::ind_nareis_applications)[i] = applications;
    o(S::ind_nareis_decisions)[i] = nareis_decisions;
    o(S::housed)[i] = housed;
    o(S::departures)[i] = departures;
    o(S::left_in_procedure)[i] = left;
    o(S::cost_coa)[i] = cost_coa;
    o(S::cost_ind)[i] = cost_ind;
    o(S::cost_total)[i] = cost_coa + cost_ind;
    o(S::ind_asylum_backlog)[i] = asylum_backlog[i];
    o(S::ind_nareis_backlog)[i] = nareis_backlog[i];
    o(S::nareis_potential)[i] = potential[i];
    o(S::nareis_pipeline)[i] = pipeline[i];
    o(S::coa_in_procedure)[i] = in_procedure[i];
    o(S::coa_status_holders)[i] = status_holders[i];
    o(S::coa_rejected)[i] = rejected[i];
    o(S::coa_occupancy)[i] = occupancy;
    o(S::coa_emergency)[i] = emergency;
    o(S::coa_places_needed)[i] = occupancy / target_occupancy[i];
  }
}

}  // namespace mppmc
