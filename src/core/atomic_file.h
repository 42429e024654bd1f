#pragma once
// Files that appear whole or not at all, and survive a crash once they have appeared: every
// output of mppmc is written under a temporary name beside its target, forced to disk (fsync),
// renamed into place, and the folder is forced to disk too (the rename is a change of the
// folder). A failure anywhere removes the temporary and leaves an earlier file untouched.
// POSIX only (Linux, macOS).
#include <functional>
#include <string>

namespace mppmc {

//! "<path>.tmp-<pid>": the temporary name beside `path` of this process, so that two processes
//! writing the same target never share (or remove) each other's temporary.
std::string temporary_name(const std::string& path);

//! Forces the contents and size of the file `path` to disk (fsync). Throws RuntimeError naming
//! the file and the system's reason.
void sync_file(const std::string& path);

//! Asks the system to start writing the file `path`'s data to disk now, without waiting for
//! it (Linux: sync_file_range; elsewhere nothing): a large part written early, such as a results
//! file's recorded inputs, is then mostly on disk when publish() forces the whole file, and the
//! run does not wait for it at the end. A hint: every failure is ignored, and publish() still
//! forces everything.
void start_writeback(const std::string& path) noexcept;

//! Renames `temporary` onto `path` (replacing it in one step) after forcing `temporary` to
//! disk, then forces the folder to disk so that the rename survives a crash. Throws
//! RuntimeError; on failure `temporary` is removed and an existing `path` is untouched.
void publish(const std::string& temporary, const std::string& path);

//! Removes `path` if it exists, ignoring every error: the clean-up of a failure path.
void discard(const std::string& path) noexcept;

//! Writes `text` to temporary_name(path), every write and the close checked, and forces it to
//! disk; returns the temporary's name, for publish(). On failure the temporary is removed and
//! RuntimeError names it.
std::string write_temporary(const std::string& path, const std::string& text);

//! Writes `text` to `path` all or nothing: every write and the close checked, fsync, then
//! `verify(temporary)` when given (it may read the file back and throw to refuse it), then
//! publish(). On any failure, including one thrown by `verify`, the temporary is removed and
//! the exception passes on (RuntimeError for I/O, with the file's name).
void write_text_atomically(const std::string& path, const std::string& text,
                           const std::function<void(const std::string& temporary)>& verify = {});

}  // namespace mppmc
