#pragma once
// The scenario parameters of docs/model-spec.md, "Parameters": one table that the reader
// validates against, the engine samples and the docs list. The numeric ids are part of the
// random-number addresses (Stream::path_input): never renumber them; add new ones at the end.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace mppmc {

enum class ParamId : std::uint32_t {
  inflow_first_annual = 0,
  inflow_repeat_ratio = 1,
  ind_asylum_capacity_per_month = 2,
  ind_asylum_capacity_factor = 3,
  ind_asylum_grant_rate = 4,
  ind_nareis_capacity_per_month = 5,
  ind_nareis_grant_rate = 6,
  nareis_persons_per_grant = 7,
  nareis_apply_delay_months = 8,
  nareis_arrival_delay_months = 9,
  coa_uptake = 10,
  coa_nareis_uptake = 11,
  coa_leave_in_procedure_rate = 12,
  housing_per_month = 13,
  housing_capacity_factor = 14,
  departure_monthly_rate = 15,
  coa_regular_capacity = 16,
  coa_target_occupancy_rate = 17,
  cost_coa_per_place_year = 18,
  cost_coa_emergency_per_place_year = 19,
  cost_ind_per_asylum_decision = 20,
  cost_ind_per_nareis_decision = 21,
};
inline constexpr int kParamCount = 22;

struct ParamInfo {
  ParamId id;
  std::string_view key;  //!< dotted scenario key, e.g. "ind.asylum.grant_rate"
  bool per_year;         //!< may be a per-year table { 2025 = ..., 2026 = ... }
  double min;            //!< allowed range of every value
  double max;
  bool min_exclusive;  //!< (min, max] instead of [min, max]
  bool capped_at_one;  //!< a rate: a measure factor that pushes it above 1 is capped at 1
  std::string_view unit;
  std::string_view meaning;
  //! What the month step can compute with (docs/scenario-format.md, "Numbers mppmc can
  //! compute"): every value a draw can take, times the largest (smallest) product of the
  //! parameter's measure effects, must stay <= largest (>= smallest).
  double smallest;  //!< > 0 only for a divisor: the delays (their min) and the occupancy rate
  double largest;   //!< kLargestLevel, kLargestMultiplier, or 1 for a rate
};

//! The largest level (persons, places, per month or per year; euros; months), initial stock
//! or seasonality weight mppmc computes with. With it and kLargestMultiplier every quantity of
//! the month step stays below 1e75 over 1,200 months, so its square summed over 2^32 paths
//! (the standard deviation) stays far below the largest double, 1.8e308.
inline constexpr double kLargestLevel = 1e15;
//! The largest multiplier (a ratio, a capacity factor, persons per grant, a measure's effect).
inline constexpr double kLargestMultiplier = 1e6;

//! All parameters, in ParamId order.
const std::array<ParamInfo, kParamCount>& parameters();
const ParamInfo& param_info(ParamId id);
std::optional<ParamId> find_param(std::string_view key);
inline int index(ParamId id) {
  return static_cast<int>(id);
}

//! Initial stocks (`initial.*`), fixed numbers >= 0, persons.
enum class InitialStock : int {
  ind_asylum_backlog,
  ind_nareis_backlog,
  nareis_potential,
  nareis_pipeline,
  coa_in_procedure,
  coa_status_holders,
  coa_rejected,
};
inline constexpr int kInitialStockCount = 7;
const std::array<std::string_view, kInitialStockCount>& initial_stock_names();

}  // namespace mppmc
