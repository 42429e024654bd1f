#include "model/parameters.h"

#include <limits>

namespace mppmc {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
using P = ParamId;
// key, per_year, min, max, min_exclusive, capped_at_one, unit, meaning (docs/model-spec.md); smallest,
// largest: what the month step can compute with (parameters.h, docs/scenario-format.md)
constexpr std::array<ParamInfo, kParamCount> kParameters = {{
    {P::inflow_first_annual, "inflow.first.annual", true, 0, kInf, false, false, "persons/year",
     "first asylum applications in a calendar year", 0, kLargestLevel},
    {P::inflow_repeat_ratio, "inflow.repeat_ratio", false, 0, kInf, false, false, "1",
     "repeat applications per first application", 0, kLargestMultiplier},
    {P::ind_asylum_capacity_per_month, "ind.asylum.capacity_per_month", true, 0, kInf, false, false, "persons/month",
     "asylum decisions IND can make per month", 0, kLargestLevel},
    {P::ind_asylum_capacity_factor, "ind.asylum.capacity_factor", false, 0, kInf, false, false, "1",
     "multiplier on the IND asylum capacity", 0, kLargestMultiplier},
    {P::ind_asylum_grant_rate, "ind.asylum.grant_rate", false, 0, 1, false, true, "1",
     "share of asylum decisions that grant a permit", 0, 1},
    {P::ind_nareis_capacity_per_month, "ind.nareis.capacity_per_month", true, 0, kInf, false, false, "persons/month",
     "nareis decisions per month", 0, kLargestLevel},
    {P::ind_nareis_grant_rate, "ind.nareis.grant_rate", false, 0, 1, false, true, "1",
     "share of nareis decisions that are positive", 0, 1},
    {P::nareis_persons_per_grant, "nareis.persons_per_grant", false, 0, kInf, false, false, "persons/grant",
     "family members who will apply per granted asylum permit", 0, kLargestMultiplier},
    {P::nareis_apply_delay_months, "nareis.apply_delay_months", false, 1, kInf, false, false, "months",
     "mean delay from grant to nareis application", 1, kLargestLevel},
    {P::nareis_arrival_delay_months, "nareis.arrival_delay_months", false, 1, kInf, false, false, "months",
     "mean delay from positive nareis decision to arrival", 1, kLargestLevel},
    {P::coa_uptake, "coa.uptake", false, 0, 1, false, true, "1", "share of asylum applicants who enter COA reception",
     0, 1},
    {P::coa_nareis_uptake, "coa.nareis_uptake", false, 0, 1, false, true, "1",
     "share of arriving nareizigers who enter COA", 0, 1},
    {P::coa_leave_in_procedure_rate, "coa.leave_in_procedure_rate", false, 0, 1, false, true, "1/month",
     "monthly share of residents in procedure who leave before a decision", 0, 1},
    {P::housing_per_month, "housing.per_month", true, 0, kInf, false, false, "persons/month",
     "status holders municipalities can house per month", 0, kLargestLevel},
    {P::housing_capacity_factor, "housing.capacity_factor", false, 0, kInf, false, false, "1",
     "multiplier on the housing capacity", 0, kLargestMultiplier},
    {P::departure_monthly_rate, "departure.monthly_rate", false, 0, 1, false, true, "1/month",
     "monthly share of rejected reception residents who leave", 0, 1},
    {P::coa_regular_capacity, "coa.regular_capacity", true, 0, kInf, false, false, "places", "regular reception places",
     0, kLargestLevel},
    {P::coa_target_occupancy_rate, "coa.target_occupancy_rate", false, 0, 1, true, true, "1",
     "share of places that can be occupied in practice", 1e-6, 1},
    {P::cost_coa_per_place_year, "cost.coa_per_place_year", false, 0, kInf, false, false, "EUR/place/year",
     "cost of one occupant in regular reception for a year", 0, kLargestLevel},
    {P::cost_coa_emergency_per_place_year, "cost.coa_emergency_per_place_year", false, 0, kInf, false, false,
     "EUR/place/year", "cost of one occupant in emergency reception for a year", 0, kLargestLevel},
    {P::cost_ind_per_asylum_decision, "cost.ind_per_asylum_decision", false, 0, kInf, false, false, "EUR/decision",
     "IND cost per asylum decision", 0, kLargestLevel},
    {P::cost_ind_per_nareis_decision, "cost.ind_per_nareis_decision", false, 0, kInf, false, false, "EUR/decision",
     "IND cost per nareis decision", 0, kLargestLevel},
}};

constexpr std::array<std::string_view, kInitialStockCount> kInitialStocks = {
    "ind_asylum_backlog", "ind_nareis_backlog", "nareis_potential", "nareis_pipeline",
    "coa_in_procedure",   "coa_status_holders", "coa_rejected"};
}  // namespace

const std::array<ParamInfo, kParamCount>& parameters() {
  return kParameters;
}

const ParamInfo& param_info(ParamId id) {
  return kParameters[index(id)];
}

std::optional<ParamId> find_param(std::string_view key) {
  for (const ParamInfo& info : kParameters)
    if (info.key == key) return info.id;
  return std::nullopt;
}

const std::array<std::string_view, kInitialStockCount>& initial_stock_names() {
  return kInitialStocks;
}

}  // namespace mppmc
