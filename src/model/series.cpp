#include "model/series.h"

namespace mppmc {

namespace {
using S = SeriesId;
constexpr SeriesKind kFlow = SeriesKind::flow, kStock = SeriesKind::stock;
constexpr std::array<SeriesInfo, kSeriesCount> kSeries = {{
    {S::inflow_first, "inflow_first", kFlow, "persons/month", "first asylum applications"},
    {S::inflow_repeat, "inflow_repeat", kFlow, "persons/month", "repeat asylum applications"},
    {S::nareis_arrivals, "nareis_arrivals", kFlow, "persons/month", "arriving family members (nareizigers)"},
    {S::total_inflow, "total_inflow", kFlow, "persons/month",
     "total asylum inflow: first + repeat applications + nareis arrivals"},
    {S::ind_asylum_decisions, "ind_asylum_decisions", kFlow, "persons/month", "IND asylum decisions"},
    {S::ind_asylum_grants, "ind_asylum_grants", kFlow, "persons/month", "IND asylum decisions that grant a permit"},
    {S::ind_nareis_applications, "ind_nareis_applications", kFlow, "persons/month", "nareis applications"},
    {S::ind_nareis_decisions, "ind_nareis_decisions", kFlow, "persons/month", "IND nareis decisions"},
    {S::housed, "housed", kFlow, "persons/month", "status holders housed by municipalities out of COA"},
    {S::departures, "departures", kFlow, "persons/month", "rejected reception residents who leave COA"},
    {S::left_in_procedure, "left_in_procedure", kFlow, "persons/month",
     "reception residents who leave COA before a decision"},
    {S::cost_coa, "cost_coa", kFlow, "EUR/month", "COA reception cost (regular + emergency places)"},
    {S::cost_ind, "cost_ind", kFlow, "EUR/month", "IND decision cost (asylum + nareis)"},
    {S::cost_total, "cost_total", kFlow, "EUR/month", "total cost: COA + IND"},
    {S::ind_asylum_backlog, "ind_asylum_backlog", kStock, "persons", "IND asylum cases pending (werkvoorraad)"},
    {S::ind_nareis_backlog, "ind_nareis_backlog", kStock, "persons", "IND nareis applications pending"},
    {S::nareis_potential, "nareis_potential", kStock, "persons", "family members expected to apply"},
    {S::nareis_pipeline, "nareis_pipeline", kStock, "persons", "positively decided family members yet to arrive"},
    {S::coa_in_procedure, "coa_in_procedure", kStock, "persons", "COA residents in the asylum procedure"},
    {S::coa_status_holders, "coa_status_holders", kStock, "persons", "COA residents with a permit awaiting housing"},
    {S::coa_rejected, "coa_rejected", kStock, "persons", "COA residents with a rejected application"},
    {S::coa_occupancy, "coa_occupancy", kStock, "persons", "COA residents (occupancy)"},
    {S::coa_emergency, "coa_emergency", kStock, "persons", "COA residents beyond the regular capacity"},
    {S::coa_places_needed, "coa_places_needed", kStock, "places",
     "reception places needed: occupancy / target occupancy rate"},
}};
}  // namespace

const std::array<SeriesInfo, kSeriesCount>& series() {
  return kSeries;
}

}  // namespace mppmc
