#pragma once
// The tables people publish from an mppmc file (docs/cli.md, "mppmc export"), as sheets that
// the CSV and the xlsx writers both lay out:
//   results file: the annual band min / medio / max of every series, WIDE (a row per series and
//     band statistic, a column per calendar year), one sheet for the baseline ("band"), one per
//     variant ("band <variant>") and one per variant's path-wise effect ("effect <variant>",
//     from /compare/<variant>); and "provenance", the run's settings as name / value rows.
//   sensitivity file: "tornado" and "sobol" (one row per output and input, with the input's
//     readable label) and "provenance".
// Read through the files' own readers, so a damaged file is an InputError (exit 2) before
// anything is written. Numbers are the file's doubles, unrounded, in the file's units.
#include <string>
#include <vector>

namespace mppmc::io {

//! A cell: a number, or text when `is_number` is false.
struct Cell {
  bool is_number = false;
  double number = 0;
  std::string text;
  static Cell of(double v) { return {true, v, {}}; }
  static Cell of(std::string t) { return {false, 0, std::move(t)}; }
};

struct Sheet {
  std::string name;   //!< at most 31 characters, no []:*?/\ (the xlsx sheet name)
  std::string title;  //!< one line saying what the numbers are
  std::vector<std::string> header;
  std::vector<std::vector<Cell>> rows;
  int label_columns = 0;                //!< leading text columns (frozen in a spreadsheet)
  std::string number_format = "#,##0";  //!< how a spreadsheet shows the numbers (Excel's codes)
};

//! The sheets of a results file: band, band <v>..., effect <v>..., provenance. Throws InputError
//! for a file that is missing, not a results file, or damaged.
std::vector<Sheet> results_sheets(const std::string& path);

//! The sheets of a sensitivity file: tornado and/or sobol (what the file holds), provenance.
std::vector<Sheet> sensitivity_sheets(const std::string& path);

}  // namespace mppmc::io
