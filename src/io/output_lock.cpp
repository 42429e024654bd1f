#include "io/output_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "core/error.h"

namespace mppmc::io {

namespace fs = std::filesystem;

namespace {

// The process id written in a lock or temporary file name, or -1.
long pid_in(const std::string& text) {
  try {
    std::size_t used = 0;
    const long pid = std::stol(text, &used);
    return used == text.size() && pid > 0 ? pid : -1;
  } catch (const std::exception&) {
    return -1;
  }
}

bool process_runs(long pid) {
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace

OutputLock::OutputLock(const std::string& output) : path_(output + ".lock") {
  // A job that ends removes its lock file while it still holds the lock; one that opened the
  // old file meanwhile then holds a lock on a removed file, sees that the name now leads
  // elsewhere (or nowhere), and tries again.
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw RuntimeError("cannot create the lock file " + path_ + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      char text[32] = {};
      const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
      ::close(fd);
      const long pid = pid_in(std::string(text, n > 0 ? static_cast<std::size_t>(n) : 0));
      throw InputError("another mppmc job" + (pid > 0 ? " (process " + std::to_string(pid) + ")" : std::string()) +
                       " is writing " + output + "; wait for it to finish, or -o another file");
    }
    struct stat held {};
    struct stat named {};
    if (::fstat(fd, &held) == 0 && ::stat(path_.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
        held.st_dev == named.st_dev) {
      const std::string pid = std::to_string(::getpid());
      if (::ftruncate(fd, 0) == 0 && ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
        // The pid is for people reading the refusal; the lock works without it.
      }
      fd_ = fd;
      return;
    }
    ::close(fd);
  }
  throw RuntimeError("cannot lock " + path_ + ": it keeps being replaced");
}

OutputLock::~OutputLock() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());
  ::close(fd_);
}

void remove_stale_temporaries(const std::string& output) {
  const fs::path target(output);
  const std::string prefix = target.filename().string() + ".tmp-";
  std::error_code ec;
  for (const auto& entry :
       fs::directory_iterator(target.has_parent_path() ? target.parent_path() : fs::path("."), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const long pid = pid_in(name.substr(prefix.size()));
    if (pid > 0 && !process_runs(pid)) fs::remove(entry.path(), ec);
  }
}

}  // namespace mppmc::io
