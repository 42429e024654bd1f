#pragma once
// The export tables (io/export_tables.h) as an Excel workbook (.xlsx, written with
// libxlsxwriter): one worksheet per sheet, its title in the first row, the header in the
// second (frozen with the label columns), the numbers as the file's doubles to 16 significant
// digits (libxlsxwriter writes %.16G; Excel keeps 15), shown with thousands separators.
#include <string>

namespace mppmc::io {

//! Writes the workbook `output` (".xlsx") of the results or sensitivity file `path`: for a
//! results file the sheets band, band <variant>..., effect <variant>... and provenance; for a
//! sensitivity file tornado, sobol and provenance. Written under a temporary name and renamed;
//! on any failure no file is left and an existing `output` is untouched. Throws InputError
//! (exit 2) for an unreadable input, a name not ending in .xlsx, a missing folder, or an existing
//! `output` without `overwrite`; RuntimeError when the workbook cannot be written.
void export_xlsx(const std::string& path, const std::string& output, bool overwrite);

//! The checks of `output` that export_xlsx() makes before it reads anything (InputError), for a
//! caller that writes other outputs first and wants every refusal before any of them.
void check_xlsx_target(const std::string& output, bool overwrite);

}  // namespace mppmc::io
