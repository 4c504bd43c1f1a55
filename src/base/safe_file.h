#pragma once
/// Files the testbed (running as root) creates in places others may write
/// to: never through a path someone planted. Folders come from mkdtemp;
/// files are opened O_CREAT|O_EXCL|O_NOFOLLOW, or, for a report the user
/// names, O_NOFOLLOW and only over a file of the same owner.

#include <optional>
#include <string>
#include <string_view>

#include "base/fd.h"

namespace testbed {

/// Checks that `root` is a folder a run folder may be made in: a real
/// folder (not a link) that belongs to this user, or that others cannot
/// write to, or that has the sticky bit (/tmp). A missing `root` is
/// created, 0700. Throws Error saying what is wrong.
void check_folder_root(const std::string& root);

/// A new folder `root/PREFIX-XXXXXX` (mkdtemp, 0700): never an existing one.
std::string make_unique_folder(const std::string& root, const std::string& prefix);

/// A new file, 0600; throws SystemError when the path exists in any form.
Fd create_new_file(const std::string& path);

/// An octal file mode ("0644", "640") with no bits outside `allowed` (by
/// default read and write only; never set-id or sticky); nullopt otherwise.
std::optional<unsigned> parse_file_mode(std::string_view text, unsigned allowed = 0666);

/// A report the user names: created 0600 (`mode` when given), or an
/// existing regular file of this user truncated; never through a link,
/// never someone else's file.
Fd create_report_file(const std::string& path, unsigned mode = 0600);

}  // namespace testbed
