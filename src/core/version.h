#pragma once

namespace mppmc {

//! The tool's semantic version, e.g. "0.2.0".
const char* tool_version();
//! The git commit the binary was built from ("<sha>[-dirty]" or "unknown").
const char* git_sha();

}  // namespace mppmc
