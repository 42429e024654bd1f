#include "io/xlsx_export.h"

#include <xlsxwriter.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/atomic_file.h"
#include "core/error.h"
#include "io/export_tables.h"
#include "io/sensitivity_file.h"

namespace mppmc::io {

namespace {

namespace fs = std::filesystem;

void check(lxw_error status, const std::string& what) {
  if (status != LXW_NO_ERROR) throw RuntimeError(what + ": " + lxw_strerror(status));
}

void write_sheet(lxw_workbook* book, const Sheet& sheet, const std::string& file) {
  lxw_worksheet* ws = workbook_add_worksheet(book, sheet.name.c_str());
  if (!ws) throw RuntimeError(file + ": cannot add the worksheet '" + sheet.name + "'");
  lxw_format* title = workbook_add_format(book);
  format_set_bold(title);
  format_set_font_size(title, 12);
  lxw_format* header = workbook_add_format(book);
  format_set_bold(header);
  format_set_bottom(header, LXW_BORDER_THIN);
  lxw_format* number = workbook_add_format(book);
  format_set_num_format(number, sheet.number_format.c_str());
  const std::string where = file + ", sheet " + sheet.name;
  check(worksheet_write_string(ws, 0, 0, sheet.title.c_str(), title), where);
  std::vector<std::size_t> width(sheet.header.size(), 8);
  for (std::size_t c = 0; c < sheet.header.size(); ++c) {
    check(worksheet_write_string(ws, 1, static_cast<lxw_col_t>(c), sheet.header[c].c_str(), header), where);
    width[c] = std::max(width[c], sheet.header[c].size() + 2);
  }
  for (std::size_t r = 0; r < sheet.rows.size(); ++r)
    for (std::size_t c = 0; c < sheet.rows[r].size(); ++c) {
      const Cell& cell = sheet.rows[r][c];
      const auto row = static_cast<lxw_row_t>(r + 2);
      const auto col = static_cast<lxw_col_t>(c);
      if (!cell.is_number)
        check(worksheet_write_string(ws, row, col, cell.text.c_str(), nullptr), where);
      else if (std::isfinite(cell.number))  // a spreadsheet has no NaN: a non-finite value stays blank
        check(worksheet_write_number(ws, row, col, cell.number, number), where);
      if (c < width.size() && !cell.is_number)
        width[c] = std::max(width[c], std::min<std::size_t>(cell.text.size() + 2, 60));
    }
  for (std::size_t c = 0; c < width.size(); ++c)
    worksheet_set_column(
        ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
        static_cast<double>(std::max<std::size_t>(width[c], c < std::size_t(sheet.label_columns) ? 8 : 12)), nullptr);
  worksheet_freeze_panes(ws, 2, static_cast<lxw_col_t>(sheet.label_columns));
}

}  // namespace

void check_xlsx_target(const std::string& output, bool overwrite) {
  const fs::path target(output);
  std::vector<Problem> problems;
  if (target.extension() != ".xlsx")
    problems.push_back(Problem::general("--xlsx " + output + ": the workbook's name must end in .xlsx"));
  const fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::error_code status;
  if (!fs::is_directory(folder, status))
    problems.push_back(Problem::general("--xlsx " + output + ": the folder " + folder.string() + " does not exist"));
  else if (fs::is_directory(target, status))
    problems.push_back(Problem::general("--xlsx " + output + ": is a folder"));
  else if (fs::exists(target, status) && !overwrite)
    problems.push_back(Problem::general(output + " exists; pass --overwrite to replace it"));
  if (!problems.empty()) throw InputError(problems);
}

void export_xlsx(const std::string& path, const std::string& output, bool overwrite) {
  check_xlsx_target(output, overwrite);
  // Every table is read before the workbook is started: a damaged file writes nothing.
  const std::vector<Sheet> sheets = is_sensitivity_file(path) ? sensitivity_sheets(path) : results_sheets(path);

  const std::string temporary = temporary_name(output);
  try {
    lxw_workbook* book = workbook_new(temporary.c_str());
    if (!book) throw RuntimeError("cannot create the workbook " + temporary);
    try {
      for (const Sheet& sheet : sheets) write_sheet(book, sheet, output);
    } catch (...) {
      workbook_close(book);  // frees it; the temporary is removed below
      throw;
    }
    check(workbook_close(book), "cannot write " + temporary);
    publish(temporary, output);
  } catch (...) {
    discard(temporary);
    throw;
  }
}

}  // namespace mppmc::io
