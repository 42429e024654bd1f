#pragma once
// The output series of docs/model-spec.md, "Output series". The order is the order of the
// results file's listing and of the month step's output slots.
#include <array>
#include <string_view>

namespace mppmc {

enum class SeriesId : int {
  inflow_first,
  inflow_repeat,
  nareis_arrivals,
  total_inflow,
  ind_asylum_decisions,
  ind_asylum_grants,
  ind_nareis_applications,
  ind_nareis_decisions,
  housed,
  departures,
  left_in_procedure,
  cost_coa,
  cost_ind,
  cost_total,
  ind_asylum_backlog,
  ind_nareis_backlog,
  nareis_potential,
  nareis_pipeline,
  coa_in_procedure,
  coa_status_holders,
  coa_rejected,
  coa_occupancy,
  coa_emergency,
  coa_places_needed,
};
inline constexpr int kSeriesCount = 24;

enum class SeriesKind { flow, stock };

struct SeriesInfo {
  SeriesId id;
  std::string_view name;
  SeriesKind kind;  //!< flow: the annual value is the sum over the year; stock: the year-end value
  std::string_view unit;
  std::string_view description;
};

const std::array<SeriesInfo, kSeriesCount>& series();
inline int index(SeriesId id) {
  return static_cast<int>(id);
}

}  // namespace mppmc
