#pragma once
// One job per output at a time. A job that writes a file (results, a calibrated scenario, a
// sensitivity file) first claims `<output>.lock` with an exclusive flock(2): a second mppmc job
// on the same output is refused at once (exit 2, naming the other process) instead of the two
// deleting or replacing each other's temporary files and checkpoint. The kernel releases the
// lock when the process ends in any way (kill -9 included), so a crash never leaves an output
// claimed; the lock file itself is removed when the job ends normally.
#include <string>

namespace mppmc::io {

class OutputLock {
 public:
  //! Claims `output`. Throws InputError naming the process that holds it, RuntimeError when the
  //! lock file cannot be made (an unwritable folder).
  explicit OutputLock(const std::string& output);
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

  //! The lock file, `<output>.lock`.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

//! Removes `<output>.tmp-<pid>` files beside `output` whose process no longer runs (a run
//! killed with kill -9 leaves one behind); a live process's temporary is never touched. Call
//! while holding the output's lock.
void remove_stale_temporaries(const std::string& output);

}  // namespace mppmc::io
