#include "core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace mppmc {

namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& what, const std::string& path, int error) {
  throw RuntimeError("cannot " + what + " " + path + ": " + std::strerror(error));
}

// fsync on a descriptor; some file systems cannot sync a folder (EINVAL): nothing to force.
void sync_descriptor(int fd, const std::string& path, bool folder) {
  if (::fsync(fd) != 0 && !(folder && errno == EINVAL)) {
    const int error = errno;
    ::close(fd);
    fail("force to disk", path, error);
  }
  if (::close(fd) != 0) fail("close", path, errno);
}

void sync_folder(const std::string& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("open the folder", folder, errno);
  sync_descriptor(fd, folder, true);
}

}  // namespace

std::string temporary_name(const std::string& path) {
  return path + ".tmp-" + std::to_string(::getpid());
}

void sync_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("open", path, errno);
  sync_descriptor(fd, path, false);
}

void start_writeback(const std::string& path) noexcept {
#ifdef __linux__
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;
  ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  ::close(fd);
#else
  (void)path;
#endif
}

void publish(const std::string& temporary, const std::string& path) {
  try {
    sync_file(temporary);
    if (std::rename(temporary.c_str(), path.c_str()) != 0)
      throw RuntimeError("cannot move " + temporary + " into place at " + path + ": " + std::strerror(errno));
  } catch (...) {
    discard(temporary);
    throw;
  }
  // The file is in place; a failure to force the folder leaves it there but says so.
  const fs::path parent = fs::path(path).parent_path();
  sync_folder(parent.empty() ? std::string(".") : parent.string());
}

void discard(const std::string& path) noexcept {
  std::error_code ec;
  fs::remove(path, ec);
}

std::string write_temporary(const std::string& path, const std::string& text) {
  const std::string temporary = temporary_name(path);
  try {
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) fail("create", temporary, errno);
    for (std::size_t done = 0; done < text.size();) {
      const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int error = n < 0 ? errno : EIO;
        ::close(fd);
        fail("write", temporary, error);
      }
      done += static_cast<std::size_t>(n);
    }
    sync_descriptor(fd, temporary, false);
  } catch (...) {
    discard(temporary);
    throw;
  }
  return temporary;
}

void write_text_atomically(const std::string& path, const std::string& text,
                           const std::function<void(const std::string& temporary)>& verify) {
  const std::string temporary = write_temporary(path, text);
  if (verify) {
    try {
      verify(temporary);
    } catch (...) {
      discard(temporary);
      throw;
    }
  }
  publish(temporary, path);
}

}  // namespace mppmc
