#include "io/history_csv.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

namespace mppmc::io {

namespace {

// One field of a CSV line and the 1-based character column where it starts.
struct Cell {
  std::string text;
  int column = 1;
};
struct Row {
  int line = 0;
  std::vector<Cell> cells;
};
// A parsed CSV file: the header's names and columns, then the data rows (blank lines skipped).
struct CsvFile {
  std::string path;
  std::vector<Cell> header;
  std::vector<Row> rows;

  int find(const std::string& name) const {
    for (std::size_t k = 0; k < header.size(); ++k)
      if (header[k].text == name) return static_cast<int>(k);
    return -1;
  }
  std::string names() const {
    std::string text;
    for (const Cell& c : header) text += (text.empty() ? "" : ", ") + c.text;
    return text;
  }
  SourceLocation at(const Row& row, int k) const { return {path, row.line, row.cells[k].column}; }
};

std::string trimmed(const std::string& text) {
  const std::size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

// Splits one line into fields (RFC 4180 quotes within the line); false on an unterminated quote.
bool split_line(const std::string& line, std::vector<Cell>& cells) {
  cells.clear();
  std::size_t i = 0;
  while (true) {
    Cell cell;
    cell.column = static_cast<int>(i) + 1;
    std::string text;
    std::size_t j = i;
    while (j < line.size() && (line[j] == ' ' || line[j] == '\t')) ++j;
    if (j < line.size() && line[j] == '"') {
      cell.column = static_cast<int>(j) + 1;
      ++j;
      bool closed = false;
      while (j < line.size()) {
        if (line[j] == '"') {
          if (j + 1 < line.size() && line[j + 1] == '"') {
            text += '"';
            j += 2;
            continue;
          }
          closed = true;
          ++j;
          break;
        }
        text += line[j++];
      }
      if (!closed) return false;
      while (j < line.size() && line[j] != ',') ++j;  // anything after the closing quote is ignored
      cell.text = text;
    } else {
      const std::size_t comma = line.find(',', i);
      j = comma == std::string::npos ? line.size() : comma;
      const std::string raw = line.substr(i, j - i);
      cell.text = trimmed(raw);
      const std::size_t lead = raw.find_first_not_of(" \t");
      if (lead != std::string::npos) cell.column = static_cast<int>(i + lead) + 1;
    }
    cells.push_back(cell);
    if (j >= line.size()) return true;
    i = j + 1;  // past the comma
  }
}

// Reads and splits a CSV file; problems: unreadable, empty, a bad quote, a wrong field count.
std::optional<CsvFile> read_csv(const std::string& path, Diagnostics& d) {
  std::ifstream in(path);
  if (!in) {
    d.error({path, 0, 0}, "", "", "cannot open the file (missing or unreadable)");
    return std::nullopt;
  }
  CsvFile file;
  file.path = path;
  std::string line;
  int number = 0;
  bool header = true;
  std::vector<Cell> cells;
  while (std::getline(in, line)) {
    ++number;
    if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a UTF-8 byte-order mark
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trimmed(line).empty()) continue;
    if (!split_line(line, cells)) {
      d.error({path, number, 1}, "", "", "a quoted field is not closed on its line");
      continue;
    }
    if (header) {
      file.header = cells;
      header = false;
      continue;
    }
    if (cells.size() != file.header.size()) {
      d.error({path, number, 1}, "", "",
              "this row has " + std::to_string(cells.size()) + " fields but the header has " +
                  std::to_string(file.header.size()) + " (" + file.names() + ")");
      continue;
    }
    file.rows.push_back({number, cells});
  }
  if (header) {
    d.error({path, 1, 1}, "", "", "the file is empty; expected a header line and data rows");
    return std::nullopt;
  }
  return file;
}

// The index of each required column; a missing one is a problem at the header line.
std::vector<int> require_columns(const CsvFile& f, const std::vector<std::string>& names, Diagnostics& d) {
  std::vector<int> index;
  for (const std::string& name : names) {
    index.push_back(f.find(name));
    if (index.back() < 0)
      d.error({f.path, 1, 1}, name, "", "no such column; the header has " + f.names() + " and needs " + name);
  }
  return index;
}

std::optional<double> parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// A number cell; empty cells are allowed when `optional`.
std::optional<double> number_cell(const CsvFile& f, const Row& row, int k, bool optional, Diagnostics& d) {
  const std::string& text = row.cells[k].text;
  if (text.empty()) {
    if (!optional) d.error(f.at(row, k), f.header[k].text, "", "a number is required here");
    return std::nullopt;
  }
  const std::optional<double> value = parse_number(text);
  if (!value) d.error(f.at(row, k), f.header[k].text, text, "not a finite number");
  return value;
}

int digits(std::string_view text) {
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return text.empty() ? -1 : value;
}

// Checks that `periods` (in file order, one kind) are ascending and consecutive.
void check_consecutive(const CsvFile& f, const std::vector<std::pair<Period, const Row*>>& periods, int column,
                       const std::string& column_name, Diagnostics& d) {
  for (std::size_t k = 1; k < periods.size(); ++k) {
    const Period& before = periods[k - 1].first;
    const Period& now = periods[k].first;
    const Row& row = *periods[k].second;
    const SourceLocation where{f.path, row.line, row.cells[column].column};
    if (now.ordinal() == before.ordinal())
      d.error(where, column_name, now.text(),
              "listed twice (also at line " + std::to_string(periods[k - 1].second->line) + ")");
    else if (now.ordinal() < before.ordinal())
      d.error(where, column_name, now.text(), "out of order: follows " + before.text() + "; rows must ascend");
    else if (now.ordinal() > before.ordinal() + 1)
      d.error(where, column_name, now.text(),
              "a gap: follows " + before.text() + ", so " + std::to_string(now.ordinal() - before.ordinal() - 1) + " " +
                  kind_name(now.kind) + (now.ordinal() - before.ordinal() - 1 > 1 ? "s are" : " is") +
                  " missing; give every period (a history must not skip one)");
  }
}

HistorySeries read_tidy_series(const std::string& path, const std::string& series, Period::Kind kind, bool required) {
  const std::vector<TidyValue> values = read_tidy_csv(path);
  HistorySeries out;
  out.name = series;
  out.file = path;
  out.kind = kind;
  std::vector<const TidyValue*> chosen;
  for (const TidyValue& v : values)
    if (v.series == series && v.period.kind == kind) chosen.push_back(&v);
  std::sort(chosen.begin(), chosen.end(),
            [](const TidyValue* a, const TidyValue* b) { return a->period.ordinal() < b->period.ordinal(); });
  for (const TidyValue* v : chosen) {
    out.periods.push_back(v->period);
    out.values.push_back(v->value);
    out.lines.push_back(v->line);
  }
  if (out.values.empty() && required) {
    std::set<std::string> names;
    for (const TidyValue& v : values) names.insert(v.series + " (" + kind_name(v.period.kind) + ")");
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    throw InputError({Problem{{path, 0, 0},
                              "series",
                              series,
                              std::string("no ") + kind_name(kind) + " values of this series; the file has " + list}});
  }
  return out;
}

}  // namespace

std::string Period::text() const {
  char buffer[16];
  if (kind == Kind::year) std::snprintf(buffer, sizeof buffer, "%04d", year);
  if (kind == Kind::quarter) std::snprintf(buffer, sizeof buffer, "%04d-Q%d", year, sub);
  if (kind == Kind::month) std::snprintf(buffer, sizeof buffer, "%04d-%02d", year, sub);
  return buffer;
}

int Period::ordinal() const {
  if (kind == Kind::quarter) return year * 4 + sub - 1;
  if (kind == Kind::month) return year * 12 + sub - 1;
  return year;
}

std::optional<Period> parse_period(std::string_view text) {
  if (text.size() < 4) return std::nullopt;
  const int year = digits(text.substr(0, 4));
  if (year < 1000) return std::nullopt;
  if (text.size() == 4) return Period{Period::Kind::year, year, 0};
  std::string_view rest = text.substr(4);
  if (rest.size() == 3 && rest[0] == '-' && rest[1] != 'Q') {
    const int month = digits(rest.substr(1));
    if (month >= 1 && month <= 12) return Period{Period::Kind::month, year, month};
    return std::nullopt;
  }
  if (!rest.empty() && rest[0] == '-') rest.remove_prefix(1);
  if (rest.size() == 2 && rest[0] == 'Q') {
    const int quarter = digits(rest.substr(1));
    if (quarter >= 1 && quarter <= 4) return Period{Period::Kind::quarter, year, quarter};
  }
  return std::nullopt;
}

const char* kind_name(Period::Kind kind) {
  switch (kind) {
    case Period::Kind::year:
      return "year";
    case Period::Kind::quarter:
      return "quarter";
    case Period::Kind::month:
      return "month";
  }
  return "?";
}

std::string mppmc_series_name(const std::string& name) {
  if (name == "total_asylum_inflow") return "total_inflow";
  if (name == "first_applications") return "inflow_first";
  return name;
}

std::vector<TidyValue> read_tidy_csv(const std::string& path) {
  Diagnostics d;
  std::optional<CsvFile> f = read_csv(path, d);
  std::vector<TidyValue> out;
  if (f) {
    const std::vector<int> c = require_columns(*f, {"series", "period", "value"}, d);
    if (!d.has_errors() && f->rows.empty()) d.error({path, 1, 1}, "", "", "no data rows after the header");
    if (!d.has_errors()) {
      std::map<std::tuple<std::string, Period::Kind>, std::vector<std::pair<Period, const Row*>>> by_series;
      for (const Row& row : f->rows) {
        TidyValue v;
        v.line = row.line;
        v.series = row.cells[c[0]].text;
        if (v.series.empty()) d.error(f->at(row, c[0]), "series", "", "a series name is required");
        const std::optional<Period> period = parse_period(row.cells[c[1]].text);
        if (!period)
          d.error(f->at(row, c[1]), "period", row.cells[c[1]].text, "not a period: give YYYY, YYYY-Qn or YYYY-MM");
        const std::optional<double> value = number_cell(*f, row, c[2], false, d);
        if (v.series.empty() || !period || !value) continue;
        v.period = *period;
        v.value = *value;
        by_series[{v.series, v.period.kind}].push_back({v.period, &row});
        out.push_back(v);
      }
      for (auto& [key, periods] : by_series) {
        // Report a repeat at its later line, a gap at the period after it.
        std::stable_sort(periods.begin(), periods.end(), [](const auto& a, const auto& b) {
          return a.first.ordinal() < b.first.ordinal() ||
                 (a.first.ordinal() == b.first.ordinal() && a.second->line < b.second->line);
        });
        check_consecutive(*f, periods, c[1], "period", d);
      }
    }
  }
  d.throw_if_errors();
  return out;
}

HistorySeries read_history_series(const std::string& path, const std::string& series, Period::Kind kind,
                                  bool required) {
  Diagnostics d;
  std::optional<CsvFile> f = read_csv(path, d);
  d.throw_if_errors();
  if (f->find("series") >= 0 && f->find("period") >= 0 && f->find("value") >= 0)
    return read_tidy_series(path, series, kind, required);

  const std::string period_name = f->header.front().text;
  std::optional<Period::Kind> file_kind;
  for (Period::Kind k : {Period::Kind::year, Period::Kind::quarter, Period::Kind::month})
    if (period_name == kind_name(k)) file_kind = k;
  if (!file_kind) {
    d.error({path, 1, f->header.front().column}, period_name, "",
            "the first column must be year, quarter or month (a wide history, one row per period), or the "
            "columns must include series, period and value (a tidy file)");
    d.throw_if_errors();
  }
  if (*file_kind != kind) {
    d.error({path, 1, 1}, period_name, "",
            std::string("the file holds one row per ") + kind_name(*file_kind) + "; " + kind_name(kind) +
                " values were asked for");
    d.throw_if_errors();
  }
  if (f->rows.empty()) d.error({path, 1, 1}, "", "", "no data rows after the header");
  std::vector<std::pair<Period, const Row*>> periods;
  for (const Row& row : f->rows) {
    const std::string& text = row.cells[0].text;
    const std::optional<Period> period = parse_period(text);
    if (!period || period->kind != kind)
      d.error(f->at(row, 0), period_name, text,
              std::string("not a ") + kind_name(kind) + " (" +
                  (kind == Period::Kind::year      ? "YYYY"
                   : kind == Period::Kind::quarter ? "YYYYQn or YYYY-Qn"
                                                   : "YYYY-MM") +
                  ")");
    else
      periods.push_back({*period, &row});
  }
  check_consecutive(*f, periods, 0, period_name, d);

  HistorySeries out;
  out.name = series;
  out.file = path;
  out.kind = kind;
  const int column = f->find(series);
  if (column < 0) {
    if (required) d.error({path, 1, 1}, series, "", "no such column; the file has " + f->names());
    d.throw_if_errors();
    return out;
  }
  // Leading and trailing empty cells: the series starts later or ends earlier. An empty cell
  // between two values is a gap.
  std::size_t first = f->rows.size(), last = 0;
  for (std::size_t r = 0; r < f->rows.size(); ++r)
    if (!f->rows[r].cells[column].text.empty()) {
      first = std::min(first, r);
      last = r;
    }
  for (std::size_t r = first; r < f->rows.size() && r <= last; ++r) {
    const Row& row = f->rows[r];
    if (row.cells[column].text.empty()) {
      d.error(f->at(row, column), series, "",
              "a gap: no value for " + row.cells[0].text + " between the series' first and last values");
      continue;
    }
    const std::optional<double> value = number_cell(*f, row, column, false, d);
    const std::optional<Period> period = parse_period(row.cells[0].text);
    if (!value || !period) continue;
    out.periods.push_back(*period);
    out.values.push_back(*value);
    out.lines.push_back(row.line);
  }
  if (out.values.empty() && required && !d.has_errors())
    d.error({path, 1, f->header[column].column}, series, "", "the column holds no values");
  d.throw_if_errors();
  return out;
}

std::vector<PublishedBand> read_published_bands(const std::string& path) {
  Diagnostics d;
  std::optional<CsvFile> f = read_csv(path, d);
  std::vector<PublishedBand> out;
  if (f) {
    const std::vector<int> c = require_columns(
        *f, {"edition", "published", "target_year", "series", "minimum", "medio", "maximum", "realised"}, d);
    const int notes = f->find("notes");
    if (!d.has_errors() && f->rows.empty()) d.error({path, 1, 1}, "", "", "no data rows after the header");
    if (!d.has_errors()) {
      std::map<std::tuple<std::string, std::string, int>, int> seen;  // -> line
      for (const Row& row : f->rows) {
        PublishedBand b;
        b.line = row.line;
        b.edition = row.cells[c[0]].text;
        if (b.edition.empty()) d.error(f->at(row, c[0]), "edition", "", "an edition name is required");
        const std::optional<MonthIndex> published = parse_year_month(row.cells[c[1]].text);
        if (!published) d.error(f->at(row, c[1]), "published", row.cells[c[1]].text, "not a month: give YYYY-MM");
        const int year = digits(row.cells[c[2]].text);
        if (year < 1000 || year > 9999)
          d.error(f->at(row, c[2]), "target_year", row.cells[c[2]].text, "not a year: give YYYY");
        b.series = mppmc_series_name(row.cells[c[3]].text);
        if (b.series.empty()) d.error(f->at(row, c[3]), "series", "", "a series name is required");
        const std::optional<double> minimum = number_cell(*f, row, c[4], false, d);
        b.medio = number_cell(*f, row, c[5], true, d);
        const std::optional<double> maximum = number_cell(*f, row, c[6], false, d);
        b.realised = number_cell(*f, row, c[7], true, d);
        if (notes >= 0) b.notes = row.cells[notes].text;
        if (!published || year < 1000 || year > 9999 || !minimum || !maximum) continue;
        b.published = *published;
        b.target_year = year;
        b.minimum = *minimum;
        b.maximum = *maximum;
        if (!(b.minimum < b.maximum))
          d.error(f->at(row, c[6]), "maximum", row.cells[c[6]].text,
                  "must be above the minimum (" + row.cells[c[4]].text + ")");
        else if (b.medio && !(b.minimum <= *b.medio && *b.medio <= b.maximum))
          d.error(f->at(row, c[5]), "medio", row.cells[c[5]].text, "must lie between the minimum and the maximum");
        const auto key = std::make_tuple(b.edition, b.series, b.target_year);
        if (seen.count(key))
          d.error(f->at(row, c[0]), "edition", b.edition,
                  "this edition's " + b.series + " for " + std::to_string(b.target_year) +
                      " is listed twice (also at line " + std::to_string(seen[key]) + ")");
        seen[key] = row.line;
        out.push_back(b);
      }
    }
  }
  d.throw_if_errors();
  return out;
}

}  // namespace mppmc::io
