#pragma once
// The three error tiers of mppmc (see docs/design.md):
//  1. InputError: everything wrong with the user's files or options, collected as a list of
//     located problems before any work starts (exit code 2).
//  2. RuntimeError: I/O or numerical failure during a run, with the context needed to replay
//     it (exit code 3).
//  3. MPPMC_CHECK: programmer invariants; a violation is a bug and prints both sides.
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace mppmc {

//! A place in an input file: 1-based line and column (0 when unknown).
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
};

//! One thing wrong with the input: where, which key, its value as written, and the rule broken.
struct Problem {
  SourceLocation where;
  std::string key_path;  //!< dotted, e.g. "ind.asylum.grant_rate.high"; empty for file-level problems
  std::string value;     //!< the offending value as TOML text; empty when the key is missing
  std::string rule;      //!< what is required, e.g. "must be in [0, 1]"
  bool warning = false;  //!< warnings are reported but do not stop a run

  //! "file:line:col: key.path = value: rule" (the format every input error uses).
  std::string format() const;
  //! A problem with no file location (command-line options, output files).
  static Problem general(std::string rule);
  //! A warning (reported, does not stop the work) at `where`.
  static Problem warning_at(SourceLocation where, std::string key_path, std::string value, std::string rule);
};

//! Collects problems while a file is checked, so that all of them are reported at once.
class Diagnostics {
 public:
  void error(SourceLocation where, std::string key_path, std::string value, std::string rule);
  void warn(SourceLocation where, std::string key_path, std::string value, std::string rule);
  void append(const Diagnostics& other);

  bool has_errors() const;
  const std::vector<Problem>& problems() const { return problems_; }
  //! Throws InputError with every problem collected so far if any of them is an error.
  void throw_if_errors() const;

 private:
  std::vector<Problem> problems_;
};

//! Bad input: files, keys, values or options. Carries every problem found.
class InputError : public std::runtime_error {
 public:
  explicit InputError(std::vector<Problem> problems);
  explicit InputError(const std::string& message);  //!< a single problem without a file location
  const std::vector<Problem>& problems() const { return problems_; }

 private:
  std::vector<Problem> problems_;
};

//! A failure while running or writing results (I/O, numerical breakdown).
class RuntimeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
[[noreturn]] void check_failed(const char* file, int line, const std::string& what);
}  // namespace detail

}  // namespace mppmc

//! Programmer invariant: MPPMC_CHECK_OP(a, <=, b) prints both values when it fails.
#define MPPMC_CHECK_OP(a, op, b)                                                 \
  do {                                                                           \
    if (!((a)op(b))) {                                                           \
      std::ostringstream mppmc_check_msg_;                                       \
      mppmc_check_msg_ << #a " " #op " " #b " failed: " << (a) << " vs " << (b); \
      ::mppmc::detail::check_failed(__FILE__, __LINE__, mppmc_check_msg_.str()); \
    }                                                                            \
  } while (false)
#define MPPMC_CHECK(cond)                                                            \
  do {                                                                               \
    if (!(cond)) ::mppmc::detail::check_failed(__FILE__, __LINE__, #cond " failed"); \
  } while (false)
