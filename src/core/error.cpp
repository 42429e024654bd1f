#include "core/error.h"

namespace mppmc {

namespace {
// A key or value quoted in a message is cut after this many characters: a generated file can
// hold a table of 10,000 keys on one line, and the location already says where it is.
constexpr std::size_t kQuoteLimit = 200;
std::string quoted(const std::string& text) {
  if (text.size() <= kQuoteLimit) return text;
  return text.substr(0, kQuoteLimit) + " ... (" + std::to_string(text.size()) + " characters)";
}
}  // namespace

std::string Problem::format() const {
  std::ostringstream out;
  if (!where.file.empty()) {
    out << where.file;
    if (where.line > 0) out << ':' << where.line << ':' << where.column;
    out << ": ";
  }
  if (warning) out << "warning: ";
  if (!key_path.empty()) {
    out << quoted(key_path);
    if (!value.empty()) out << " = " << quoted(value);
    out << ": ";
  }
  out << rule;
  return out.str();
}

Problem Problem::general(std::string rule) {
  Problem p;
  p.rule = std::move(rule);
  return p;
}

Problem Problem::warning_at(SourceLocation where, std::string key_path, std::string value, std::string rule) {
  return {std::move(where), std::move(key_path), std::move(value), std::move(rule), true};
}

void Diagnostics::error(SourceLocation where, std::string key_path, std::string value, std::string rule) {
  problems_.push_back({std::move(where), std::move(key_path), std::move(value), std::move(rule), false});
}

void Diagnostics::warn(SourceLocation where, std::string key_path, std::string value, std::string rule) {
  problems_.push_back({std::move(where), std::move(key_path), std::move(value), std::move(rule), true});
}

void Diagnostics::append(const Diagnostics& other) {
  problems_.insert(problems_.end(), other.problems_.begin(), other.problems_.end());
}

bool Diagnostics::has_errors() const {
  for (const Problem& p : problems_)
    if (!p.warning) return true;
  return false;
}

void Diagnostics::throw_if_errors() const {
  if (!has_errors()) return;
  std::vector<Problem> errors;
  for (const Problem& p : problems_)
    if (!p.warning) errors.push_back(p);
  throw InputError(std::move(errors));
}

namespace {
std::string join(const std::vector<Problem>& problems) {
  std::string text;
  for (const Problem& p : problems) {
    if (!text.empty()) text += '\n';
    text += p.format();
  }
  return text;
}
}  // namespace

InputError::InputError(std::vector<Problem> problems)
    : std::runtime_error(join(problems)), problems_(std::move(problems)) {}

InputError::InputError(const std::string& message)
    : std::runtime_error(message), problems_{Problem::general(message)} {}

namespace detail {
void check_failed(const char* file, int line, const std::string& what) {
  throw std::logic_error(std::string("internal error (a bug in mppmc) at ") + file + ":" + std::to_string(line) + ": " +
                         what);
}
}  // namespace detail

}  // namespace mppmc
