#pragma once
// Reading a results file back for people: what it holds (`mppmc info`) and the band table of
// the key series that `mppmc run` prints.
#include <exception>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/hdf5_file.h"

namespace mppmc::io {

//! Opens a results file read-only. Throws InputError when the file is missing, is not HDF5,
//! fails its checksum, is not an mppmc results file, has another schema version, or has a
//! dataset whose shape or type does not fit the schema (docs/hdf5-schema.md): every dataset's
//! shape is checked against the time axes, the percentiles and the number of paths.
h5::Handle open_results(const std::string& path);

//! read() on the mppmc file `path` of `kind` ("results", "sensitivity"), where a failure to
//! read it (a damaged or crafted file: a checksum that does not match, a group or dataset
//! missing, a shape that does not fit the file's axes) is the user's input, not a run's: it
//! becomes an InputError naming the file (exit 2).
template <typename Read>
auto reading_file(const std::string& path, const char* kind, Read read) -> decltype(read()) {
  try {
    return read();
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw InputError(path + ": a damaged or incomplete mppmc " + kind + " file (" + e.what() + ")");
  }
}

//! A number rounded to whole units with thousands separators: 57600.4 -> "57,600".
std::string grouped_number(double value);

//! reading_file() of a results file.
template <typename Read>
auto reading_results(const std::string& path, Read read) -> decltype(read()) {
  return reading_file(path, "results", read);
}

//! The series whose annual band `mppmc run` prints.
const std::vector<std::string>& key_series();

//! A description of a results file: provenance, run settings, time axis, series, inputs and
//! the annual band table of the key series. Throws InputError when the file is missing, is not
//! HDF5, is not an mppmc results file or has another schema version.
std::string describe_results(const std::string& path);

//! The annual min / medio / max table of `series_names`, read from the file.
std::string band_table(const std::string& path, const std::vector<std::string>& series_names);

//! The series of the per-variant impact table: total inflow, nareis applications, IND asylum
//! backlog, COA occupancy and total cost.
const std::vector<std::string>& impact_series();
//! The variants a file holds (names of /compare groups), in name order.
std::vector<std::string> variant_names(const std::string& path);
//! The annual band of the path-wise difference variant - baseline of the impact series.
std::string impact_table(const std::string& path, const std::string& variant);

}  // namespace mppmc::io
